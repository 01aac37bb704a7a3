--[[
cleanup-meta.lua: runs after citeproc and drops metadata that only steered
the build. The DOCX writer copies unknown metadata into docProps/custom.xml;
the absolute path of the CSL file there would make the DOCX depend on the
machine (and is of no use to a reader).
]]

local BUILD_ONLY = { "bibliography", "csl", "citation-style", "link-citations",
  "reference-section-title", "nocite", "suppress-bibliography", "reviewkit-language",
  "reviewkit-citations", "reviewkit-tables-wide" }

function Meta(meta)
  for _, key in ipairs(BUILD_ONLY) do
    meta[key] = nil
  end
  return meta
end
