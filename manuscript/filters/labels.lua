--[[
labels.lua: the only place that holds the words the filters write into the
manuscript (figure and table labels, abstract headings, keyword labels).

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
  },
  en = {
    figure = "Figure",
    table = "Table",
    abstract = "Abstract",
    keywords = "Keywords",
  },
}

-- "Gambar 1. Caption text." in both DOCX and PDF.
M.caption_separator = ". "
-- "Kata kunci: ASI; pijat oksitosin"
M.keyword_separator = "; "

--- Words for a BCP 47 language tag such as "id-ID" (falls back to English).
function M.for_lang(lang)
  local primary = tostring(lang or "en"):match("^(%a+)") or "en"
  return M.words[primary:lower()] or M.words.en
end

return M
