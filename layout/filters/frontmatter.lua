--[[
frontmatter.lua: the title page, abstracts and declarations, identical in
DOCX, PDF (typst) and HTML.

Reads the metadata
  author       list of names, or of maps {name, affiliation, orcid, email,
               corresponding, address}; affiliation may be one string or a list
  running-title
  abstract     Indonesian (document-language) abstract, may be several paragraphs
  abstract-en  English abstract
  keywords     list (or one string separated by , or ;)
  keywords-en  list (or one string)
  declarations map {funding, competing-interests, data-availability,
               author-contributions, ai-use} (see labels.lua for the order)
  reviewkit-language  the catalogue code of the words (labels.lua)
  abstract-title / abstract-title-en   optional overrides of the headings
  reviewkit    set by the journal profile (reviewkit.frontmatter):
               {anonymised, new-page-after-title,
                counts = {abstract, abstract-en, main-text, figures, tables}}
  reviewkit-part  which document to write: main (the manuscript, default),
               title-page or tables

and writes, for the part "main", at the start of the body:
  [affiliations (DOCX/HTML; the typst template prints them under the authors)]
  [title-page lines: corresponding author, ORCID iDs, running title, counts]
  [page break, if new-page-after-title]
  # Abstrak            + abstract + "Kata kunci: ..."
  ::: {lang=en}
  # Abstract           + English abstract + "Keywords: ..."
  :::
and, before the section holding the reference list (::: {#refs}), the
declarations under "# Pernyataan"; a reference list without a heading right
above it gets "# Daftar Pustaka" / "# References" (all words: labels.lua). When anonymised, the manuscript has no
authors, affiliations, ORCID iDs, corresponding author or declarations (not
even in the document properties): they are on the title page.

"title-page": the title, authors, affiliations, title-page lines, keywords
of both languages and the declarations; nothing else.
"tables": the tables of the manuscript with their captions, nothing else
(numbered as in the manuscript, since crossref.lua runs after this filter).

The abstract paragraphs carry the Word style "Abstract", the title-page lines
"Title Page Info"; headings are unnumbered level-1 headings. Metadata used
here is removed afterwards, so that no template prints it a second time and
the DOCX writer does not copy it into docProps/custom.xml.

Authors become "Name¹" when there is more than one distinct affiliation (the
affiliations are numbered in order of first appearance), and the
corresponding author gets a "*".
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

local function is_blank(value)
  return value == nil or stringify(value):match("^%s*$") ~= nil
end

local function styled(blocks, style)
  return pandoc.Div(blocks, pandoc.Attr("", {}, { ["custom-style"] = style }))
end

-- "Label: value" with the label in bold.
local function labelled(label, inlines)
  local out = pandoc.Inlines { pandoc.Strong { pandoc.Str(label .. ":") }, pandoc.Space() }
  out:extend(inlines)
  return out
end

local function join(items, separator)
  local out = pandoc.Inlines {}
  for i, item in ipairs(items) do
    if i > 1 then
      out:insert(pandoc.Str(separator))
      out:insert(pandoc.Space())
    end
    out:extend(item)
  end
  return out
end

local function keyword_para(label, value)
  local items = to_list(value)
  if #items == 0 then
    return nil
  end
  return pandoc.Para(labelled(label, join(items, (labels.keyword_separator:gsub("%s+$", "")))))
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
    styled(body, "Abstract"),
  }
end

local function page_break()
  if FORMAT == "docx" then
    return pandoc.RawBlock("openxml",
      '<w:p><w:pPr><w:suppressLineNumbers/></w:pPr><w:r><w:br w:type="page"/></w:r></w:p>')
  elseif FORMAT == "typst" then
    return pandoc.RawBlock("typst", "#pagebreak()")
  end
  return pandoc.RawBlock("html", '<div style="break-after: page"></div>')
end

-- Authors -> people (name, marks, ORCID, e-mail, address) and numbered affiliations.
local function normalise_authors(meta_author)
  if meta_author == nil then
    return {}, {}
  end
  local entries = ptype(meta_author) == "List" and meta_author or { meta_author }
  local people, affiliations, index = {}, {}, {}
  for _, entry in ipairs(entries) do
    local person = { name = to_inlines(entry), numbers = {} }
    if ptype(entry) == "table" then -- a map
      person.name = to_inlines(entry.name)
      person.orcid = entry.orcid
      person.email = entry.email
      person.address = entry.address
      person.corresponding = entry.corresponding == true
      local aff = entry.affiliation or entry.affiliations
      local affs = aff == nil and {} or (ptype(aff) == "List" and aff or { aff })
      for _, one in ipairs(affs) do
        local key = stringify(one)
        if index[key] == nil then
          affiliations[#affiliations + 1] = to_inlines(one)
          index[key] = #affiliations
        end
        person.numbers[#person.numbers + 1] = tostring(index[key])
      end
    end
    people[#people + 1] = person
  end
  return people, affiliations
end

-- Names with affiliation numbers and the corresponding mark; affiliation lines.
local function author_lines(people, affiliations)
  local marked = #affiliations > 1
  local authors, names, aff_lines = pandoc.List {}, pandoc.List {}, pandoc.List {}
  for _, person in ipairs(people) do
    local inlines = person.name:clone()
    local mark = marked and table.concat(person.numbers, ",") or ""
    if person.corresponding then
      mark = mark .. labels.corresponding_mark
    end
    if mark ~= "" then
      inlines:insert(pandoc.Superscript { pandoc.Str(mark) })
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

-- Corresponding author(s) and ORCID iDs.
local function author_details(people, words)
  local blocks = pandoc.Blocks {}
  for _, person in ipairs(people) do
    if person.corresponding then
      local parts = { person.name:clone() }
      if not is_blank(person.address) then
        parts[#parts + 1] = to_inlines(person.address)
      end
      if not is_blank(person.email) then
        parts[#parts + 1] = pandoc.Inlines { pandoc.Str(words.email .. ":"), pandoc.Space(),
          pandoc.Str(stringify(person.email)) }
      end
      blocks:insert(pandoc.Para(labelled(labels.corresponding_mark .. words.corresponding,
        join(parts, ";"))))
    end
  end
  local orcids = {}
  for _, person in ipairs(people) do
    if not is_blank(person.orcid) then
      local id = stringify(person.orcid):gsub("^https?://orcid%.org/", "")
      local url = id:match("^%[") and id or ("https://orcid.org/" .. id)
      local item = person.name:clone()
      item:insert(pandoc.Space())
      item:insert(pandoc.Str(url))
      orcids[#orcids + 1] = item
    end
  end
  if #orcids > 0 then
    blocks:insert(pandoc.Para(labelled(words.orcid, join(orcids, ";"))))
  end
  return blocks
end

-- Running title and counts (words, figures, tables).
local function manuscript_details(meta, words, english)
  local blocks = pandoc.Blocks {}
  if not is_blank(meta["running-title"]) then
    blocks:insert(pandoc.Para(labelled(words.running_title, to_inlines(meta["running-title"]))))
  end
  local rk = meta.reviewkit
  local counts = rk and rk.counts
  if counts then
    local parts = {}
    local function add(label, key)
      if counts[key] ~= nil then
        parts[#parts + 1] = pandoc.Inlines { pandoc.Str(label), pandoc.Space(),
          pandoc.Str(stringify(counts[key])) }
      end
    end
    add(words.abstract, "abstract")
    if english.abstract ~= words.abstract then
      add(english.abstract, "abstract-en")
    end
    add(words.main_text, "main-text")
    if #parts > 0 then
      blocks:insert(pandoc.Para(labelled(words.word_count, join(parts, ";"))))
    end
    if counts.figures ~= nil and counts.tables ~= nil then
      local line = labelled(words.figure_count, { pandoc.Str(stringify(counts.figures) .. ";") })
      line:insert(pandoc.Space())
      line:extend(labelled(words.table_count, { pandoc.Str(stringify(counts.tables)) }))
      blocks:insert(pandoc.Para(line))
    end
  end
  return blocks
end

-- "# Pernyataan" and one paragraph per filled-in declaration.
local function declarations_section(meta, words)
  local declarations = meta.declarations
  if declarations == nil or ptype(declarations) ~= "table" then
    return pandoc.Blocks {}
  end
  local blocks = pandoc.Blocks {}
  for _, key in ipairs(labels.declarations) do
    local value = declarations[key]
    if not is_blank(value) then
      local inlines = pandoc.Inlines { pandoc.Strong { pandoc.Str(words[key] .. ".") }, pandoc.Space() }
      inlines:extend(to_inlines(value))
      blocks:insert(pandoc.Para(inlines))
    end
  end
  if #blocks == 0 then
    return blocks
  end
  blocks:insert(1, pandoc.Header(1, words.declarations,
    pandoc.Attr("declarations", { "unnumbered", "unlisted" })))
  return blocks
end

-- Insert `extra` before the level-1 section that holds the reference list
-- (::: {#refs}), or at the end when there is none. A reference list with no
-- heading right above it gets one from the message catalogue ("Daftar
-- Pustaka", "References"), so no template has to type it.
local function before_references(blocks, extra, words)
  local refs_at
  for i, block in ipairs(blocks) do
    if block.t == "Div" and block.identifier == "refs" then
      refs_at = i
      break
    end
  end
  if refs_at == nil then
    return blocks .. extra
  end
  if refs_at == 1 or blocks[refs_at - 1].t ~= "Header" then
    blocks = pandoc.Blocks(blocks):clone()
    blocks:insert(refs_at, pandoc.Header(1, words.references,
      pandoc.Attr("references", { "unnumbered" })))
    refs_at = refs_at + 1
  end
  local at = refs_at
  for i = refs_at, 1, -1 do
    if blocks[i].t == "Header" and blocks[i].level == 1 then
      at = i
      break
    end
  end
  local out = pandoc.Blocks {}
  for i = 1, at - 1 do
    out:insert(blocks[i])
  end
  out:extend(extra)
  for i = at, #blocks do
    out:insert(blocks[i])
  end
  return out
end

local function only_tables(blocks)
  local tables = pandoc.Blocks {}
  pandoc.Blocks(blocks):walk { Table = function(t) tables:insert(t) end }
  return tables
end

-- Authors into the metadata (names with marks) and the affiliation lines
-- into the body (DOCX, HTML) or the typst template's `affiliations`.
local function set_authors(meta, people, affiliations)
  local authors, names, aff_lines = author_lines(people, affiliations)
  meta.author = #authors > 0 and authors or nil
  local front = pandoc.Blocks {}
  if FORMAT == "typst" then
    meta["author-names"] = #names > 0 and names or nil
    local list = pandoc.List {}
    for _, line in ipairs(aff_lines) do
      list:insert(pandoc.MetaInlines(line))
    end
    meta.affiliations = #list > 0 and list or nil
  elseif #aff_lines > 0 then
    local paras = pandoc.Blocks {}
    for _, line in ipairs(aff_lines) do
      paras:insert(pandoc.Para(line))
    end
    front:insert(styled(paras, "Affiliation"))
  end
  return front
end

local CONSUMED = { "abstract", "abstract-en", "keywords-en", "abstract-title", "abstract-title-en",
  "declarations", "running-title", "reviewkit", "reviewkit-part" }

function Pandoc(doc)
  local meta = doc.meta
  local words = labels.for_meta(meta)
  local english = labels.words("en")
  local part = meta["reviewkit-part"] and stringify(meta["reviewkit-part"]) or "main"
  local rk = meta.reviewkit or {}
  local anonymised = rk.anonymised == true and part ~= "title-page"
  local people, affiliations = normalise_authors(meta.author)
  local front = pandoc.Blocks {}

  if anonymised or part == "tables" then
    meta.author = nil
  else
    front:extend(set_authors(meta, people, affiliations))
    local details = author_details(people, words)
    if #details > 0 then
      front:insert(styled(details, "Title Page Info"))
    end
  end
  if part ~= "tables" then
    local details = manuscript_details(meta, words, english)
    if #details > 0 then
      front:insert(styled(details, "Title Page Info"))
    end
  end

  local body
  if part == "title-page" then
    local kw = pandoc.Blocks {}
    local own = keyword_para(words.keywords, meta.keywords)
    if own then
      kw:insert(own)
    end
    local en = english.keywords ~= words.keywords
      and keyword_para(english.keywords, meta["keywords-en"])
    if en then
      kw:insert(pandoc.Div({ en }, pandoc.Attr("", {}, { lang = "en" })))
    end
    if #kw > 0 then
      front:insert(styled(kw, "Title Page Info"))
    end
    body = front .. declarations_section(meta, words)
  elseif part == "tables" then
    body = only_tables(doc.blocks)
    meta["suppress-bibliography"] = true
    meta.date = nil
  else
    if rk["new-page-after-title"] == true and #front > 0 then
      front:insert(page_break())
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
    local declarations = anonymised and pandoc.Blocks {} or declarations_section(meta, words)
    body = front .. before_references(doc.blocks, declarations, words)
  end

  -- Printed above; drop them so no template or writer prints them again
  -- (the DOCX writer would also copy unknown keys into docProps/custom.xml).
  for _, key in ipairs(CONSUMED) do
    meta[key] = nil
  end
  if meta.keywords ~= nil then
    local kws = pandoc.List {}
    for _, item in ipairs(to_list(meta.keywords)) do
      kws:insert(pandoc.MetaInlines(item))
    end
    meta.keywords = kws
  end

  doc.blocks = body
  doc.meta = meta
  return doc
end
