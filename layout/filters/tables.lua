--[[
tables.lua: wide tables on landscape pages, or left to the supplementary
tables file, as the journal profile says (`tables.wide`, passed as the
metadata `reviewkit-tables-wide`: portrait, landscape or supplement). Runs
first, before frontmatter.lua, and does nothing for the separate tables file
(`reviewkit-part: tables`), which always holds every table in full.

A table is wide when it has 7 or more columns or the class `wide` (a caption
ending in `{#tbl-x .wide}`).

landscape: DOCX: the table gets a section of its own; two marker paragraphs
  (`w:sectPr` holding only `<w:pgSz w:orient="..."/>`) end the portrait
  section before it and the landscape section after it, and
  reviewkit.docx_tables fills them in from the document's own page (size,
  margins, footer, line numbering), turned for the landscape one. typst: the
  table is set inside `#page(flipped: true)[...]`.
supplement: the table keeps its number and caption (so cross-references stay
  right) and its body becomes one line saying where it is (catalogue word
  `document.table_in_supplement`).
]]

local labels = dofile(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua" })

local stringify = pandoc.utils.stringify

local function is_wide(tbl)
  return #tbl.colspecs >= 7 or tbl.classes:includes("wide")
end

local function marker(orientation)
  return pandoc.RawBlock("openxml", '<w:p><w:pPr><w:sectPr><w:pgSz w:orient="'
    .. orientation .. '"/></w:sectPr></w:pPr></w:p>')
end

local function landscape(tbl)
  if FORMAT == "docx" then
    return { marker("portrait"), tbl, marker("landscape") }
  elseif FORMAT == "typst" then
    return { pandoc.RawBlock("typst", "#page(flipped: true)["), tbl, pandoc.RawBlock("typst", "]") }
  end
  return nil
end

local function to_supplement(tbl, words)
  local note = pandoc.Plain { pandoc.Emph { pandoc.Str(words.table_in_supplement) } }
  local row = pandoc.Row { pandoc.Cell { note } }
  local body = { attr = pandoc.Attr(), body = { row }, head = {}, row_head_columns = 0 }
  return pandoc.Table(tbl.caption, { { pandoc.AlignLeft, 1.0 } }, pandoc.TableHead(),
    { body }, pandoc.TableFoot(), tbl.attr)
end

function Pandoc(doc)
  local part = doc.meta["reviewkit-part"] and stringify(doc.meta["reviewkit-part"]) or "main"
  local mode = doc.meta["reviewkit-tables-wide"] and stringify(doc.meta["reviewkit-tables-wide"])
    or "portrait"
  if part == "tables" or mode == "portrait" then
    return nil
  end
  local words = labels.for_meta(doc.meta)
  doc.blocks = doc.blocks:walk { Table = function(tbl)
    if not is_wide(tbl) then
      return nil
    end
    if mode == "supplement" then
      return to_supplement(tbl, words)
    end
    return landscape(tbl)
  end }
  return doc
end
