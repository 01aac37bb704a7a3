--[[
crossref.lua: numbered figures and tables with cross-references, in the
document language, for DOCX and typst. Must run BEFORE citeproc: it turns the
citations `@fig-...` and `@tbl-...` into references, so that citeproc never
sees them.

Numbering: every Figure and every Table is counted in document order (as Word
and typst do), with or without an id or a caption. Ids `fig-*` and `tbl-*`
can then be referenced in the text:
  @fig-x, [@fig-x]  -> "Gambar 1"      [-@fig-x] -> "1"
  [lihat @fig-x]    -> "lihat Gambar 1"
Captions read "Gambar 1. Caption text." (words and separator: labels.lua).

DOCX: the caption label is a Word caption: "Gambar " + a SEQ field, inside a
hidden bookmark (_Ref_fig_1); a reference in the text is a REF field to that
bookmark whose stored result is "Gambar 1". Word shows the stored result, and
"Update field" in Word renumbers everything after figures are moved.
typst: captions are left to typst's own figure numbering; the filter sets the
figure supplements and the caption separator from labels.lua, and a reference
becomes `#ref(label("fig-x"));`, so typst prints the number it gave the figure.
Other output formats get the plain text "Gambar 1".

A reference to an id that no figure or table carries is reported as a pandoc
warning starting with "reviewkit crossref:" (reviewkit.assemble fails on it).

Tracked changes (reviewkit.tracked): a figure or table with the attribute
reviewkit-change=deletion was deleted since the compared version. It is not
counted; its caption gets its old number (attribute reviewkit-number) as plain
text inside a deletion span, and a reference to its old id
(reviewkit-old-id) gives that old number as text. One with
reviewkit-change=insertion is counted as usual and its caption label is put
inside an insertion span, so that Word's Reject All removes it. The typst
output leaves deleted ones to changes-typst.lua.
]]

local labels = dofile(pandoc.path.join {
  pandoc.path.directory(PANDOC_SCRIPT_FILE), "labels.lua" })

local stringify = pandoc.utils.stringify

local KINDS = { fig = "figure", tbl = "table" }
-- Far above the small numbers pandoc gives its own bookmarks.
local BOOKMARK_BASE = 900000

local words -- labels for the document language, set in Pandoc()
local targets = {} -- id -> { kind = "figure"|"table", n = 1, bookmark = "_Ref_fig_1" }
local deleted_targets = {} -- old id of a deleted figure/table -> { kind, n }
local counts = { figure = 0, table = 0 }
local bookmarks = 0

local function kind_of_id(id)
  local prefix = id:match("^(%a+)%-")
  return prefix and KINDS[prefix] or nil
end

local function xml_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function openxml(s)
  return pandoc.RawInline("openxml", s)
end

-- A complex Word field with a stored result: python-docx and Word both see
-- the result as ordinary run text.
local function docx_field(instruction, result)
  return openxml(
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> ' .. xml_escape(instruction)
    .. ' </w:instrText></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    .. '<w:r><w:t xml:space="preserve">' .. xml_escape(result) .. '</w:t></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
end

local function run(text)
  return '<w:r><w:t xml:space="preserve">' .. xml_escape(text) .. '</w:t></w:r>'
end

-- "Gambar 1" (+ separator) as a Word caption label: text, SEQ field, hidden
-- bookmark. All raw OpenXML, so that the caption's plain text (pandoc uses
-- it as the table's alt text) is just the caption.
local function docx_caption_label(target, separator)
  local word = words[target.kind]
  bookmarks = bookmarks + 1
  local bid = tostring(BOOKMARK_BASE + bookmarks)
  return pandoc.Inlines { openxml(
    '<w:bookmarkStart w:id="' .. bid .. '" w:name="' .. target.bookmark .. '"/>'
    .. run(word .. " ")
    .. docx_field("SEQ " .. word:gsub("%s", "_") .. " \\* ARABIC", tostring(target.n)).text
    .. '<w:bookmarkEnd w:id="' .. bid .. '"/>'
    .. (separator and run(labels.caption_separator) or "")) }
end

local function plain_caption_label(target, separator)
  local text = words[target.kind] .. " " .. target.n
  return pandoc.Inlines { pandoc.Str(separator and text .. labels.caption_separator or text) }
end

-- Caption "Gambar 1. Text." (or the label alone when there is no text).
local function prefix_caption(caption, make_label)
  local long = caption.long
  if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
    long[1].content = make_label(true) .. long[1].content
  else
    long:insert(1, pandoc.Plain(make_label(false)))
  end
  caption.long = long
  return caption
end

-- Tracked changes: the label inside a span of class "insertion"/"deletion".
local function tracked_label(el, change, label)
  return pandoc.Inlines { pandoc.Span(label, pandoc.Attr("", { change }, {
    author = el.attributes.author or "", date = el.attributes.date or "" })) }
end

local function number_deleted(el, kind)
  local target = { kind = kind, n = tonumber(el.attributes["reviewkit-number"]) or 0 }
  local old_id = el.attributes["reviewkit-old-id"]
  if old_id and old_id ~= "" then
    deleted_targets[old_id] = target
  end
  if FORMAT == "typst" then
    return nil
  end
  el.caption = prefix_caption(el.caption, function(separator)
    return tracked_label(el, "deletion", plain_caption_label(target, separator))
  end)
  return el
end

local function number(el, kind)
  local change = el.attributes and el.attributes["reviewkit-change"]
  if change == "deletion" then
    return number_deleted(el, kind)
  end
  counts[kind] = counts[kind] + 1
  local short = kind == "figure" and "fig" or "tbl"
  local target = {
    kind = kind,
    n = counts[kind],
    bookmark = "_Ref_" .. short .. "_" .. counts[kind],
  }
  if el.identifier ~= "" then
    targets[el.identifier] = target
  end
  if kind == "table" and #el.caption.long == 0 then
    -- typst would number it without showing the number: make it explicit.
    pandoc.log.warn("reviewkit crossref: table " .. target.n .. " has no caption; write "
      .. "a caption line under it, e.g. `: Caption text. {#tbl-name}`")
  end
  if FORMAT == "typst" then
    return nil -- typst numbers and labels its figures itself
  end
  local make = FORMAT == "docx" and docx_caption_label or plain_caption_label
  el.caption = prefix_caption(el.caption, function(separator)
    local label = make(target, separator)
    return change == "insertion" and tracked_label(el, change, label) or label
  end)
  return el
end

-- The text of a reference (without prefix and suffix).
local function reference(id, target, mode)
  local word = words[target.kind]
  local suppress = mode == "SuppressAuthor"
  if FORMAT == "typst" then
    local lbl = 'label("' .. id:gsub('[\\"]', "\\%0") .. '")'
    return pandoc.Inlines {
      pandoc.RawInline("typst", "#ref(" .. lbl .. (suppress and ", supplement: none" or "") .. ");"),
    }
  end
  local text = suppress and tostring(target.n) or (word .. " " .. target.n)
  if FORMAT == "docx" and not suppress then
    return pandoc.Inlines { docx_field("REF " .. target.bookmark .. " \\h", text) }
  end
  return pandoc.Inlines { pandoc.Str(text) }
end

local function replace_cite(cite)
  local out = pandoc.Inlines {}
  local others = pandoc.List {}
  local changed = false
  local previous_was_ref = false

  local function flush_others()
    if #others > 0 then
      if #out > 0 then
        out:insert(pandoc.Space())
      end
      local keys = others:map(function(c) return "@" .. c.id end)
      out:insert(pandoc.Cite({ pandoc.Str("[" .. table.concat(keys, "; ") .. "]") }, others))
      others = pandoc.List {}
      previous_was_ref = false
    end
  end

  for _, citation in ipairs(cite.citations) do
    local kind = kind_of_id(citation.id)
    if kind == nil then
      others:insert(citation)
    else
      changed = true
      flush_others()
      if previous_was_ref then
        out:insert(pandoc.Str(";"))
        out:insert(pandoc.Space())
      elseif #out > 0 then
        out:insert(pandoc.Space())
      end
      if #citation.prefix > 0 then
        out:extend(citation.prefix)
        out:insert(pandoc.Space())
      end
      local target = targets[citation.id]
      local deleted = deleted_targets[citation.id]
      if target == nil and deleted ~= nil and deleted.kind == kind then
        local text = citation.mode == "SuppressAuthor" and tostring(deleted.n)
          or (words[kind] .. " " .. deleted.n)
        out:insert(pandoc.Str(text))
      elseif target == nil or target.kind ~= kind then
        pandoc.log.warn("reviewkit crossref: unknown cross-reference @" .. citation.id
          .. " (no " .. kind .. " has the id " .. citation.id .. ")")
        out:insert(pandoc.Strong { pandoc.Str("??" .. citation.id .. "??") })
      else
        out:extend(reference(citation.id, target, citation.mode))
      end
      out:extend(citation.suffix)
      previous_was_ref = true
    end
  end
  if not changed then
    return nil
  end
  flush_others()
  return out
end

local function typst_setup()
  local sep = labels.caption_separator:gsub('[\\"]', "\\%0")
  return pandoc.RawBlock("typst", table.concat({
    "#show figure.where(kind: image): set figure(supplement: [" .. words.figure .. "])",
    "#show figure.where(kind: table): set figure(supplement: [" .. words.table .. "])",
    '#set figure.caption(separator: "' .. sep .. '")',
  }, "\n"))
end

function Pandoc(doc)
  words = labels.for_meta(doc.meta)
  doc = doc:walk {
    traverse = "topdown",
    Figure = function(el) return number(el, "figure") end,
    Table = function(el) return number(el, "table") end,
  }
  doc = doc:walk { Cite = replace_cite }
  if FORMAT == "typst" then
    doc.blocks:insert(1, typst_setup())
  end
  return doc
end
