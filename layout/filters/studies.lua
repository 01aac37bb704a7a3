--[[
studies.lua: a study in a table is identified the way the reference list
identifies it. Runs after crossref.lua and before citeproc.

The tables the tool generates write each study as `[@key]{.study}` and the
heading of the study column as `[...]{.study-header}`. With an author-date
style (metadata `reviewkit-citations: author-date`, the default) the span
becomes the narrative citation `@key`, which citeproc renders "Dewi dkk.
(2020)". With a numbered style (`reviewkit-citations: numeric`, set from the
CSL file by reviewkit.frontmatter) it becomes the authors followed by the
reference number, "Dewi dkk. (11)": the authors rendered by citeproc with
layout/csl/author-label.csl in the document's language, the number by
citeproc with the journal's style, so it is the number of the reference list;
the column heading becomes the catalogue's `document.study` ("Studi"/"Study").
]]

local labels = dofile(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua" })

local AUTHOR_CSL = pandoc.path.normalize(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "..", "csl", "author-label.csl" })

local stringify = pandoc.utils.stringify

local function study_key(span)
  local key
  span.content:walk { Cite = function(cite) key = key or cite.citations[1].id end }
  return key
end

-- Key -> Inlines of its authors, rendered by citeproc with author-label.csl.
local function author_labels(doc, keys)
  if #keys == 0 or doc.meta.bibliography == nil then
    return {}
  end
  local blocks = pandoc.Blocks {}
  for _, key in ipairs(keys) do
    blocks:insert(pandoc.Para { pandoc.Cite({ pandoc.Str("@" .. key) },
      { pandoc.Citation(key, "AuthorInText") }) })
  end
  local meta = pandoc.Meta {
    bibliography = doc.meta.bibliography,
    references = doc.meta.references,
    csl = AUTHOR_CSL,
    lang = doc.meta.lang,
    ["suppress-bibliography"] = true,
  }
  local rendered = pandoc.utils.citeproc(pandoc.Pandoc(blocks, meta))
  local out = {}
  for i, key in ipairs(keys) do
    local block = rendered.blocks[i]
    local inlines = pandoc.Inlines {}
    if block ~= nil then
      block:walk { Cite = function(cite) inlines = cite.content end }
    end
    out[key] = inlines
  end
  return out
end

function Pandoc(doc)
  local numeric = stringify(doc.meta["reviewkit-citations"] or "") == "numeric"
  -- the catalogue only for a numbered style: the header of the study column
  local words = numeric and labels.for_meta(doc.meta) or nil
  local keys, seen = {}, {}
  doc:walk { Span = function(span)
    if span.classes:includes("study") then
      local key = study_key(span)
      if key and not seen[key] then
        seen[key] = true
        keys[#keys + 1] = key
      end
    end
  end }
  local authors = numeric and author_labels(doc, keys) or {}
  return doc:walk { Span = function(span)
    if span.classes:includes("study-header") then
      return numeric and pandoc.Inlines { pandoc.Str(words.study) } or span.content
    end
    if not span.classes:includes("study") then
      return nil
    end
    local key = study_key(span)
    if key == nil then
      return span.content
    end
    if not numeric then
      return pandoc.Inlines { pandoc.Cite({ pandoc.Str("@" .. key) },
        { pandoc.Citation(key, "AuthorInText") }) }
    end
    local out = pandoc.Inlines {}
    if authors[key] and #authors[key] > 0 then
      out:extend(authors[key])
      out:insert(pandoc.Space())
    end
    out:insert(pandoc.Cite({ pandoc.Str("[@" .. key .. "]") },
      { pandoc.Citation(key, "NormalCitation") }))
    return out
  end }
end
