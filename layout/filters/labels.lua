--[[
labels.lua: the only place that holds the words the filters write into the
manuscript (figure and table labels, abstract headings, keyword labels, the
title-page lines and the declaration headings).

Keys are the primary language subtag of the document's `lang` metadata
(`id-ID` -> `id`); an unknown language falls back to English. Add a language
by adding one table here; both the DOCX and the PDF pick it up.

Used by frontmatter.lua and crossref.lua with:
  local labels = dofile(pandoc.path.join{pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua"})
]]

local M = {}

M.words = {
  id = {
    figure = "Gambar",
    table = "Tabel",
    abstract = "Abstrak",
    keywords = "Kata kunci",
    corresponding = "Penulis korespondensi",
    email = "e-mail",
    orcid = "ORCID",
    running_title = "Judul ringkas",
    word_count = "Jumlah kata",
    main_text = "naskah utama",
    figure_count = "Jumlah gambar",
    table_count = "jumlah tabel",
    declarations = "Pernyataan",
    ["funding"] = "Pendanaan",
    ["competing-interests"] = "Konflik kepentingan",
    ["data-availability"] = "Ketersediaan data",
    ["author-contributions"] = "Kontribusi penulis",
    ["ai-use"] = "Penggunaan alat kecerdasan artifisial (AI)",
  },
  en = {
    figure = "Figure",
    table = "Table",
    abstract = "Abstract",
    keywords = "Keywords",
    corresponding = "Corresponding author",
    email = "e-mail",
    orcid = "ORCID",
    running_title = "Running title",
    word_count = "Word count",
    main_text = "main text",
    figure_count = "Figures",
    table_count = "tables",
    declarations = "Declarations",
    ["funding"] = "Funding",
    ["competing-interests"] = "Competing interests",
    ["data-availability"] = "Data availability",
    ["author-contributions"] = "Author contributions",
    ["ai-use"] = "Use of artificial intelligence (AI) tools",
  },
}

-- "Gambar 1. Caption text." in both DOCX and PDF.
M.caption_separator = ". "
-- "Kata kunci: ASI; pijat oksitosin"
M.keyword_separator = "; "
-- Marks the corresponding author after the name: "Nama¹*".
M.corresponding_mark = "*"
-- The declarations in the order they are printed (keys of `declarations:`
-- in metadata.yaml; reviewkit.profiles.DECLARATIONS holds the same list).
M.declarations = { "funding", "competing-interests", "data-availability",
  "author-contributions", "ai-use" }

--- Words for a BCP 47 language tag such as "id-ID" (falls back to English).
function M.for_lang(lang)
  local primary = tostring(lang or "en"):match("^(%a+)") or "en"
  return M.words[primary:lower()] or M.words.en
end

return M
