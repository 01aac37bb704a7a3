--[[
changes-typst.lua: the PDF of a tracked-changes manuscript (reviewkit.tracked),
typst output only; runs after crossref.lua, citeproc and changes-refs.lua.

Insertions become underlined text and deletions struck-through text; the
colours come from layout/templates/changes-header.typ (set and show rules on
underline and strike), so no typst markup is built from the text here.
The empty marker spans used for the DOCX (ids "rk-...") are dropped. The
legend (metadata reviewkit-changes-legend, set by reviewkit.tracked) becomes
the first paragraph of the body.

A deleted figure or table (attribute reviewkit-change=deletion) is no longer a
typst figure, so that typst does not number it: a figure becomes its content
followed by its caption, a table gets the class typst:no-figure with its
caption above it; the caption starts with its old number (attribute
reviewkit-number) as plain text.
]]

local labels = dofile(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua" })

local words

local function deleted_caption(el, kind)
  local n = el.attributes["reviewkit-number"] or "?"
  local inlines = pandoc.Inlines { pandoc.Str(words[kind] .. " " .. n .. labels.caption_separator) }
  for _, block in ipairs(el.caption.long) do
    if block.content then
      inlines:extend(block.content)
    end
  end
  return pandoc.Para { pandoc.Strikeout(inlines) }
end

local function is_deleted(el)
  return el.attributes and el.attributes["reviewkit-change"] == "deletion"
end

local marks = {
  Span = function(span)
    if span.identifier:match("^rk%-") and #span.content == 0 then
      return {}
    elseif span.classes:includes("insertion") then
      return pandoc.Underline(span.content)
    elseif span.classes:includes("deletion") then
      return pandoc.Strikeout(span.content)
    end
  end,
}

local structure = {
  Figure = function(fig)
    if is_deleted(fig) then
      local blocks = pandoc.Blocks(fig.content)
      blocks:insert(deleted_caption(fig, "figure"))
      return pandoc.Div(blocks)
    end
  end,
  Table = function(tbl)
    if is_deleted(tbl) then
      local caption = deleted_caption(tbl, "table")
      tbl.caption = pandoc.Caption()
      tbl.classes:insert("typst:no-figure")
      return { caption, tbl }
    end
  end,
}

function Pandoc(doc)
  words = labels.for_meta(doc.meta)
  -- the legend ("Underlined: added ...") first, right under the title block
  local legend = doc.meta["reviewkit-changes-legend"]
  if legend ~= nil then
    doc.meta["reviewkit-changes-legend"] = nil
    doc.blocks:insert(1, pandoc.Para(legend))
  end
  -- deleted figures and tables first (their captions still hold deletion spans)
  doc = doc:walk(structure)
  return doc:walk(marks)
end
