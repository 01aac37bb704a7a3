--[[
labels.lua: the words the filters write into the manuscript (figure and table
labels, abstract headings, keyword labels, title-page lines, declaration
headings, the reference-list heading), read from the tool's message
catalogues reviewkit/locales/<code>.yaml (section `document`), the same files
the Python code reads: one source of truth, and adding a language is adding
one file (see docs/language.md).

The catalogue is chosen by the metadata `reviewkit-language` (the code in
config.yaml, which the build sets through the profile's pandoc defaults);
without it, by the primary subtag of `lang` (`id-ID` -> `id`). A code without
a catalogue is reported as a pandoc warning starting with "reviewkit labels:"
(reviewkit.assemble fails on it). pandoc's own YAML reader parses the file.

Used by frontmatter.lua and crossref.lua with:
  local labels = dofile(pandoc.path.join{pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua"})
]]

local M = {}

local LOCALES = pandoc.path.normalize(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "..", "..", "reviewkit", "locales" })

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

local cache = {}

--- The lines of the top-level YAML keys `names` of a catalogue's text: each from
--- its `key:` line (in column 0) to the next top-level key; comments and blank
--- lines between are kept, so the result is valid YAML of those keys only.
function M.sections(text, names)
  local wanted = {}
  for _, name in ipairs(names) do
    wanted[name] = true
  end
  local kept = {}
  local keep = false
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    local key = line:match("^([%w_%-]+):")
    if key ~= nil then
      keep = wanted[key] == true
    end
    if keep then
      kept[#kept + 1] = line
    end
  end
  return table.concat(kept, "\n")
end

local function read_catalogue(code)
  local path = pandoc.path.join { LOCALES, code .. ".yaml" }
  local handle = io.open(path, "r")
  if handle == nil then
    return nil
  end
  local text = handle:read("a")
  handle:close()
  -- pandoc reads a YAML metadata block; plain strings stay literal text. Only the
  -- two sections used here are read: each filter of a pandoc run reads the
  -- catalogue anew (filters share no state), and parsing all of it four times
  -- cost a fifth of a pandoc run.
  local meta = pandoc.read("---\n" .. M.sections(text, { "language", "document" })
    .. "\n---\n", "markdown-smart").meta
  local words = {}
  for key, value in pairs(meta.document or {}) do
    words[key] = pandoc.utils.stringify(value)
  end
  words.tag = meta.language and pandoc.utils.stringify(meta.language.tag) or code
  return words
end

--- Words of a catalogue code ("id", "en"); nil and a warning when it has none.
function M.words(code)
  code = tostring(code or "en")
  if cache[code] == nil then
    local words = read_catalogue(code)
    if words == nil then
      pandoc.log.warn("reviewkit labels: language " .. code .. " has no message catalogue "
        .. "(reviewkit/locales/" .. code .. ".yaml)")
      words = read_catalogue("en")
    end
    cache[code] = words
  end
  return cache[code]
end

--- The catalogue code of a document: `reviewkit-language`, else the primary
--- subtag of `lang`, else "en".
function M.code(meta)
  if meta["reviewkit-language"] ~= nil then
    return pandoc.utils.stringify(meta["reviewkit-language"])
  end
  local lang = meta.lang and pandoc.utils.stringify(meta.lang) or "en"
  return (lang:match("^(%a+)") or "en"):lower()
end

--- Words for the document's language.
function M.for_meta(meta)
  return M.words(M.code(meta))
end

return M
