"""What keeps a build cheap, checked without timing anything (issue 11; speed
itself is measured by benchmarks/bench.py, never by a test):

* the steps that only write text do not import pandas or scipy.stats, the
  figure step not scipy.stats;
* YAML read through libyaml gives the data PyYAML's Python parser gives, and
  a mistake still gets PyYAML's own message;
* a journal profile loaded again in one process is the same, and a change
  to its file is seen;
* the config's defaults are filled in as Snakemake's ``validate`` fills them;
* Snakemake compares the steps' parameters without pandas, with the same result;
* figures are written as RGB PNGs the submission step copies as they are.
"""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT
from PIL import Image

from reviewkit.fast_yaml import safe_load

HEAVY = ("pandas", "scipy.stats", "scipy.optimize", "matplotlib", "openpyxl")


def loaded_modules(*modules: str, heavy: tuple[str, ...] = HEAVY) -> set[str]:
    """The ``heavy`` modules a fresh Python has loaded after importing ``modules``."""
    code = (
        f"import sys; import {', '.join(modules)}; "
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(done.stdout.split())


def test_the_text_and_document_steps_import_no_pandas_or_scipy_stats():
    text_step = ["reviewkit.manuscript", "reviewkit.search.prisma", "reviewkit.bibliography"]
    assert loaded_modules(*text_step) == set()
    assert loaded_modules("reviewkit.profile_build") == set()


def test_a_table_the_text_writes_is_measured_without_pandas():
    """The text blocks' own tables (the sensitivity table) get their column widths
    in the text step, which must not import pandas for it."""
    code = (
        "import sys\n"
        "from reviewkit.text_blocks import pipe_rule\n"
        "rule = pipe_rule(['| Analysis | k |', '| Main analysis | 3 |'], right=[1])\n"
        "assert rule.startswith('|:') and rule.rstrip().endswith(':|'), rule\n"
        "assert 'pandas' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_figure_step_imports_no_scipy_stats_or_jsonschema():
    """No jsonschema (0.05 s): the tables it reads were checked by the data step."""
    unwanted = ("scipy.stats", "jsonschema")
    assert loaded_modules("reviewkit.figure_set", heavy=unwanted) == set()


def test_reading_the_workflow_imports_no_pandas():
    modules = [
        "reviewkit.config_check",
        "reviewkit.preflight",
        "reviewkit.profiles",
        "reviewkit.versions",
        "reviewkit.search.files",
        "reviewkit.assemble",
        "reviewkit.citations",
        "reviewkit.reference_docx",
        "reviewkit.typeface",
        "reviewkit.large_review",
    ]
    assert loaded_modules(*modules) == set()


def test_counting_the_studies_while_the_workflow_is_read_imports_no_pandas():
    code = (
        "import sys\n"
        "from reviewkit.large_review import count_study_rows\n"
        "assert count_study_rows('data/studies.csv') == 15\n"
        "assert count_study_rows('data/studies.csv', at_most=3) == 3\n"
        "assert 'pandas' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


SHIPPED_YAML = sorted(
    [
        *ROOT.glob("reviewkit/locales/*.yaml"),
        *ROOT.glob("profiles/*.yaml"),
        *ROOT.glob("schemas/*.yaml"),
        ROOT / "config.yaml",
        ROOT / "examples" / "bcg" / "config.yaml",
    ]
)


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_shipped_file_as_pyyaml_does(path):
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_a_yaml_mistake_gets_pyyamls_own_message():
    text = "language: id\ninclusion:\n\tyear_from: 2014\n"
    with pytest.raises(yaml.YAMLError) as python_error:
        yaml.load(text, Loader=yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError) as ours:
        safe_load(text)
    assert str(ours.value) == str(python_error.value)
    assert "'\\t'" in str(ours.value)  # the Python parser names the tab; libyaml does not


def test_a_profile_loaded_twice_is_the_same_and_a_copy(tmp_path, monkeypatch):
    from reviewkit.profiles import load_profile

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "journal.yaml"
    path.write_text("extends: sinta-nursing\nlimits:\n  main_text_words: {max: 4000}\n")
    first = load_profile(str(path))
    first["limits"]["main_text_words"]["max"] = 1  # a caller changing its copy ...
    second = load_profile(str(path))
    assert second["limits"]["main_text_words"]["max"] == 4000  # ... changes no other
    path.write_text("extends: sinta-nursing\nlimits:\n  main_text_words: {max: 3500}\n")
    assert load_profile(str(path))["limits"]["main_text_words"]["max"] == 3500


def test_config_defaults_are_those_snakemake_fills_in():
    from snakemake.utils import validate

    from reviewkit.config_check import fill_defaults
    from reviewkit.paths import CONFIG_SCHEMA

    for source in (ROOT / "config.yaml", ROOT / "examples" / "bcg" / "config.yaml"):
        config = yaml.safe_load(source.read_text(encoding="utf-8"))
        ours, snakemakes = copy.deepcopy(config), copy.deepcopy(config)
        validate(snakemakes, str(CONFIG_SCHEMA))
        assert fill_defaults(ours, str(CONFIG_SCHEMA)) == snakemakes
    minimal = {"studies": "data/studies.csv", "references": "data/references.bib"}
    ours, snakemakes = copy.deepcopy(minimal), copy.deepcopy(minimal)
    validate(snakemakes, str(CONFIG_SCHEMA))
    assert fill_defaults(ours, str(CONFIG_SCHEMA)) == snakemakes
    assert ours["synthesis"]["estimator"] == "REML"  # nested defaults too


def test_snakemake_compares_parameters_as_before_without_pandas():
    code = (
        "import sys\n"
        "from snakemake.persistence import PersistenceBase\n"
        "class Probe: pass\n"
        "probe = Probe()\n"
        "probe._serialize_param_builtin = lambda v: (\n"
        "    PersistenceBase._serialize_param_builtin(probe, v))\n"
        "values = ['x', 3, 0.5, None, [1, 'a'], {'b': {'c': 1}}, ('t',), object()]\n"
        "before = [PersistenceBase._serialize_param_pandas(probe, v) for v in values]\n"
        "from reviewkit.workflow_tweaks import params_without_pandas\n"
        "assert params_without_pandas()\n"
        "after = [PersistenceBase._serialize_param.fget(probe)(v) for v in values]\n"
        "assert before == after, (before, after)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_script_job_gets_the_parameters_snakemake_would_store():
    """What a step's script receives as ``snakemake.params`` is the same with
    script_params_without_pandas, and pandas is not imported for it; a data frame
    among the parameters still goes through Snakemake's own code."""
    code = (
        "import sys\n"
        "from snakemake.iocontainers import Params, Snakemake\n"
        "original = Snakemake._safely_store_params\n"
        "def stored(store, params):\n"
        "    probe = Snakemake.__new__(Snakemake)\n"
        "    store(probe, params)\n"
        "    return list(probe._params_store), probe._params_types, "
        "probe._params_store._names\n"
        "values = Params(fromdict={'code': 'abc', 'n': 3, 'level': 0.95, 'none': None,\n"
        "    'names': ['forest', 'funnel'], 'settings': {'a': {'b': [1, 2]}}})\n"
        "from reviewkit.workflow_tweaks import script_params_without_pandas\n"
        "assert script_params_without_pandas()\n"
        "ours = stored(Snakemake._safely_store_params, values)\n"
        "assert 'pandas' not in sys.modules\n"
        "assert ours == stored(original, values), ours\n"
        "import pandas\n"
        "frame = Params(fromdict={'table': pandas.DataFrame({'x': [1]})})\n"
        "assert stored(Snakemake._safely_store_params, frame)[1] == {0: 'pd.DataFrame'}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_figure_is_an_rgb_png_that_the_submission_copies_as_it_is(tmp_path):
    from matplotlib.figure import Figure

    from reviewkit.figures import save_figure
    from reviewkit.submission import export_figures

    folder = tmp_path / "results" / "figures"
    figure = Figure(figsize=(3, 2))
    figure.add_subplot().bar([1, 2, 3], [3, 1, 2])
    save_figure(figure, folder / "bars.png", folder / "bars.pdf", dpi=300)
    with Image.open(folder / "bars.png") as image:
        assert image.mode == "RGB"  # no alpha channel
        assert image.size == (900, 600)
        assert image.getpixel((0, 0)) == (255, 255, 255)
    (copied,) = export_figures(
        ["results/figures/bars.png"], tmp_path / "out", format="png", dpi=300, root=tmp_path
    )
    assert copied.read_bytes() == (folder / "bars.png").read_bytes()
    # Another resolution is rendered anew from the vector PDF, never copied.
    (other,) = export_figures(
        ["results/figures/bars.png"], tmp_path / "out600", format="png", dpi=600, root=tmp_path
    )
    with Image.open(other) as image:
        assert abs(image.size[0] - 1800) <= 2


def test_no_figure_above_25_megapixels(tmp_path):
    from matplotlib.figure import Figure

    from reviewkit.figures import MAX_PIXELS, save_figure

    assert MAX_PIXELS == 25_000_000
    tall = Figure(figsize=(6.3, 44.5))  # 1890 x 13350 px at 300 dpi: 25.2 megapixels
    tall.add_subplot().plot([0, 1], [0, 1])
    with pytest.raises(ValueError, match="more than 25 megapixels"):
        save_figure(tall, tmp_path / "tall.png", tmp_path / "tall.pdf", dpi=300)
    assert list(tmp_path.iterdir()) == []
    fits = Figure(figsize=(6.3, 44))  # 1890 x 13200 px: 24.9 megapixels
    fits.add_subplot().plot([0, 1], [0, 1])
    save_figure(fits, tmp_path / "fits.png", tmp_path / "fits.pdf", dpi=300)
    with Image.open(tmp_path / "fits.png") as image:
        assert image.size[0] * image.size[1] <= MAX_PIXELS


def test_a_step_ends_its_process_only_after_its_output_and_log_are_complete(tmp_path):
    """Steps skip Python's teardown (reviewkit.errors.exit_now): what they wrote,
    logged and printed must all be there, and nothing after the step runs."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reviewkit.errors import run_step\n"
        "def main():\n"
        "    print('printed, still in the buffer', end='')\n"
        "    Path(sys.argv[1]).write_text('complete', encoding='utf-8')\n"
        "run_step(main, sys.argv[2], end_process=True)\n"
        "print(' and never this')\n"
    )
    output, log = tmp_path / "out.txt", tmp_path / "logs" / "step.log"
    done = subprocess.run(
        [sys.executable, "-c", code, str(output), str(log)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "printed, still in the buffer"
    assert output.read_text(encoding="utf-8") == "complete"
    assert "done in" in log.read_text(encoding="utf-8")
