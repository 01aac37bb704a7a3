--[[
frontmatter.lua: the block after the title, identical in DOCX and PDF.

Reads the metadata
  author       list of names, or of maps {name, affiliation}; affiliation may
               be one string or a list
  abstract     Indonesian (document-language) abstract, may be several paragraphs
  abstract-en  English abstract
  keywords     list (or one string separated by , or ;)
  keywords-en  list (or one string)
  abstract-title / abstract-title-en   optional overrides of the headings

and writes at the start of the body:
  [affiliations (DOCX only; the typst template prints them under the authors)]
  # Abstrak            + abstract + "Kata kunci: ..."
  ::: {lang=en}
  # Abstract           + English abstract + "Keywords: ..."
  :::
The abstract paragraphs carry the Word style "Abstract" and the headings are
unnumbered level-1 headings. `abstract` and `abstract-en` are then removed
from the metadata so that no template prints them a second time.

Authors become "Name¹" when there is more than one distinct affiliation; the
affiliations are numbered in order of first appearance.
]]

local labels = dofile(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua" })

local stringify = pandoc.utils.stringify
local ptype = pandoc.utils.type

-- Metadata value -> Inlines.
local function to_inlines(value)
  local t = ptype(value)
  if t == "Inlines" then
    return value
  elseif t == "Blocks" then
    return pandoc.utils.blocks_to_inlines(value)
  elseif value == nil then
    return pandoc.Inlines {}
  end
  return pandoc.Inlines { pandoc.Str(stringify(value)) }
end

-- Metadata value -> Blocks.
local function to_blocks(value)
  local t = ptype(value)
  if t == "Blocks" then
    return value
  elseif t == "Inlines" then
    return pandoc.Blocks { pandoc.Para(value) }
  end
  return pandoc.Blocks { pandoc.Para { pandoc.Str(stringify(value)) } }
end

-- Metadata value -> list of Inlines (a YAML list, or one string split at , or ;).
local function to_list(value)
  if value == nil then
    return {}
  end
  local items = {}
  if ptype(value) == "List" then
    for _, item in ipairs(value) do
      items[#items + 1] = to_inlines(item)
    end
  else
    for part in stringify(value):gmatch("[^,;]+") do
      local text = part:gsub("^%s+", ""):gsub("%s+$", "")
      if text ~= "" then
        items[#items + 1] = pandoc.Inlines { pandoc.Str(text) }
      end
    end
  end
  return items
end

local function keyword_para(label, value)
  local items = to_list(value)
  if #items == 0 then
    return nil
  end
  local inlines = pandoc.Inlines { pandoc.Strong { pandoc.Str(label .. ":") }, pandoc.Space() }
  for i, item in ipairs(items) do
    if i > 1 then
      inlines:insert(pandoc.Str((labels.keyword_separator:gsub("%s+$", ""))))
      inlines:insert(pandoc.Space())
    end
    inlines:extend(item)
  end
  return pandoc.Para(inlines)
end

-- One abstract section: heading, paragraphs in Word style "Abstract", keywords.
local function abstract_section(title, id, abstract, keywords_label, keywords)
  if abstract == nil then
    return nil
  end
  local body = to_blocks(abstract):clone()
  local kw = keyword_para(keywords_label, keywords)
  if kw then
    body:insert(kw)
  end
  return pandoc.Blocks {
    pandoc.Header(1, title, pandoc.Attr(id, { "unnumbered", "unlisted" })),
    pandoc.Div(body, pandoc.Attr("", {}, { ["custom-style"] = "Abstract" })),
  }
end

-- Authors -> names with affiliation marks, plus the numbered affiliations.
local function normalise_authors(meta_author)
  if meta_author == nil then
    return nil, nil, {}
  end
  local entries = ptype(meta_author) == "List" and meta_author or { meta_author }
  local people, affiliations, index = {}, {}, {}
  for _, entry in ipairs(entries) do
    local name, affs = entry, {}
    if ptype(entry) == "table" then -- a map
      name = entry.name
      local aff = entry.affiliation or entry.affiliations
      if aff ~= nil then
        affs = ptype(aff) == "List" and aff or { aff }
      end
    end
    local numbers = {}
    for _, aff in ipairs(affs) do
      local key = stringify(aff)
      if index[key] == nil then
        affiliations[#affiliations + 1] = to_inlines(aff)
        index[key] = #affiliations
      end
      numbers[#numbers + 1] = tostring(index[key])
    end
    people[#people + 1] = { name = to_inlines(name), numbers = numbers }
  end
  local marked = #affiliations > 1
  local authors, names, aff_lines = pandoc.List {}, pandoc.List {}, pandoc.List {}
  for _, person in ipairs(people) do
    local inlines = person.name:clone()
    if marked and #person.numbers > 0 then
      inlines:insert(pandoc.Superscript { pandoc.Str(table.concat(person.numbers, ",")) })
    end
    authors:insert(pandoc.MetaInlines(inlines))
    names:insert(pandoc.MetaInlines(person.name))
  end
  for i, aff in ipairs(affiliations) do
    local line = pandoc.Inlines {}
    if marked then
      line:insert(pandoc.Superscript { pandoc.Str(tostring(i)) })
    end
    line:extend(aff)
    aff_lines:insert(line)
  end
  return authors, names, aff_lines
end

function Pandoc(doc)
  local meta = doc.meta
  local words = labels.for_lang(stringify(meta.lang or "en"))
  local english = labels.for_lang("en")
  local front = pandoc.Blocks {}

  local authors, names, aff_lines = normalise_authors(meta.author)
  if authors then
    meta.author = authors
    if FORMAT == "typst" then
      meta["author-names"] = names
      local list = pandoc.List {}
      for _, line in ipairs(aff_lines) do
        list:insert(pandoc.MetaInlines(line))
      end
      if #list > 0 then
        meta.affiliations = list
      end
    elseif #aff_lines > 0 then
      local paras = pandoc.Blocks {}
      for _, line in ipairs(aff_lines) do
        paras:insert(pandoc.Para(line))
      end
      front:insert(pandoc.Div(paras, pandoc.Attr("", {}, { ["custom-style"] = "Affiliation" })))
    end
  end

  local title = meta["abstract-title"] and to_inlines(meta["abstract-title"]) or words.abstract
  local section = abstract_section(title, "abstrak", meta.abstract, words.keywords, meta.keywords)
  if section then
    front:extend(section)
  end

  local title_en = meta["abstract-title-en"] and to_inlines(meta["abstract-title-en"])
    or english.abstract
  local section_en = abstract_section(
    title_en, "abstract", meta["abstract-en"], english.keywords, meta["keywords-en"])
  if section_en then
    front:insert(pandoc.Div(section_en, pandoc.Attr("", {}, { lang = "en" })))
  end

  -- Printed above; drop them so no template or writer prints them again
  -- (the DOCX writer would also copy unknown keys into docProps/custom.xml).
  meta.abstract = nil
  meta["abstract-en"] = nil
  meta["keywords-en"] = nil
  meta["abstract-title"] = nil
  meta["abstract-title-en"] = nil
  if meta.keywords ~= nil then
    local kws = pandoc.List {}
    for _, item in ipairs(to_list(meta.keywords)) do
      kws:insert(pandoc.MetaInlines(item))
    end
    meta.keywords = kws
  end

  doc.blocks = front .. doc.blocks
  doc.meta = meta
  return doc
end
