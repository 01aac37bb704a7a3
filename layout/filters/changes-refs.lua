--[[
changes-refs.lua: the reference list of a tracked-changes manuscript
(reviewkit.tracked), DOCX and PDF. Runs after citeproc.

The merged manuscript cites the works of both versions: deleted text keeps its
citations inside spans of class "deletion", added text inside spans of class
"insertion". citeproc lists every cited work; this filter marks an entry of
the reference list (div "ref-KEY" inside div "refs") as deleted when no
citation outside deleted text cites it, and as inserted when no citation
outside inserted text does. Author and date come from the metadata
reviewkit-changes {author, date}, which this filter then removes (the DOCX
writer would otherwise copy it into the document properties).

An entry paragraph gets an empty span with the id "rk-pdel-bN"/"rk-pins-bN":
reviewkit.tracked turns it into a revision mark on the paragraph mark.
]]

local stringify = pandoc.utils.stringify

local total, in_deleted, in_inserted = {}, {}, {}

local function count_cites(inlines, tally)
  pandoc.walk_inline(pandoc.Span(inlines), {
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        tally[citation.id] = (tally[citation.id] or 0) + 1
      end
    end,
  })
end

function Pandoc(doc)
  local info = doc.meta["reviewkit-changes"]
  if info == nil then
    return nil
  end
  doc.meta["reviewkit-changes"] = nil
  local attributes = { author = stringify(info.author or ""), date = stringify(info.date or "") }

  doc:walk {
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        total[citation.id] = (total[citation.id] or 0) + 1
      end
    end,
    Span = function(span)
      if span.classes:includes("deletion") then
        count_cites(span.content, in_deleted)
      elseif span.classes:includes("insertion") then
        count_cites(span.content, in_inserted)
      end
    end,
  }

  local serial = 0
  local function wrap(blocks, change)
    local short = change == "insertion" and "ins" or "del"
    return blocks:walk {
      Para = function(para)
        serial = serial + 1
        return pandoc.Para {
          pandoc.Span({}, pandoc.Attr("rk-p" .. short .. "-b" .. serial)),
          pandoc.Span(para.content, pandoc.Attr("", { change }, attributes)),
        }
      end,
      Plain = function(plain)
        return pandoc.Plain { pandoc.Span(plain.content, pandoc.Attr("", { change }, attributes)) }
      end,
    }
  end

  return doc:walk {
    Div = function(div)
      local key = div.identifier:match("^ref%-(.+)$")
      if key == nil or total[key] == nil then
        return nil
      end
      local new_count = total[key] - (in_deleted[key] or 0)
      local old_count = total[key] - (in_inserted[key] or 0)
      if new_count == 0 then
        div.content = wrap(div.content, "deletion")
        return div
      elseif old_count == 0 then
        div.content = wrap(div.content, "insertion")
        return div
      end
    end,
  }
end
