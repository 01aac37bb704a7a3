--[[
typst-text.lua: text stays text in typst (typst output only; after citeproc).

pandoc's typst writer escapes most of typst's markup in text, but not three
of typst's shorthands: "..." (an ellipsis), "-?" (a soft hyphen: "x-?y"
prints "xy") and "-" before a digit (a minus sign). Text from the data is
literal (docs/security.md), and the DOCX and HTML show these characters as
they are, so a text node holding one of them is written as raw typst with
every ASCII punctuation character escaped ("\." is a literal "." in typst).
The author's own "..." and "--" were made into "…" and "–" by pandoc's
Markdown reader already and do not reach this filter as such.
]]

local SHORTHANDS = { "%.%.%.", "%-%?", "%-%d" }

function Str(el)
  for _, pattern in ipairs(SHORTHANDS) do
    if el.text:find(pattern) then
      return pandoc.RawInline("typst", (el.text:gsub("%p", "\\%0")))
    end
  end
  return nil
end
