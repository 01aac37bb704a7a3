--[[
images.lua: the only images a document may hold are the build's own figures,
results/figures/NAME.png (every output format; runs after citeproc, on the
body and the metadata, so it also sees images a bibliography entry makes with
\includegraphics).

pandoc runs with --sandbox (reviewkit.assemble): its readers and writers read
no file that is not named on the command line and open no URL. This filter is
the one door for images: it reads each figure itself (Lua filters are not
sandboxed) and puts it into pandoc's media bag, from which the DOCX writer
and the self-contained HTML take it. Any other image source - a path outside
results/figures, an absolute path, "..", a URL, a data: URI - is removed
from the document (its description stays as text) and reported as a warning
starting with "reviewkit images:", on which reviewkit.assemble stops the
build. So nothing is fetched, and nothing outside the figure folder is read.

typst: the path becomes root-relative ("/results/figures/x.png");
reviewkit.assemble compiles the .typ in a build folder that holds only the
.typ and a copy of the figures it names, with that folder as typst's root.
]]

local path = pandoc.path

-- A figure of this build: results/figures/ + a plain file name + .png.
local FIGURE = "^results/figures/[%w_][%w_.-]*%.png$"

local function read(file)
  local handle = io.open(file, "rb")
  if handle == nil then
    return nil
  end
  local data = handle:read("a")
  handle:close()
  return data
end

-- The figure's bytes, looked up in pandoc's resource path (default: ".").
local function find(src)
  local cwd = pandoc.system.get_working_directory()
  for _, dir in ipairs(PANDOC_STATE.resource_path) do
    local base = path.is_absolute(dir) and dir or path.join { cwd, dir }
    local data = read(path.join { base, src })
    if data ~= nil then
      return data
    end
  end
  return nil
end

local function refuse(img, why)
  pandoc.log.warn("reviewkit images: " .. why)
  return img.caption -- the description as text; the image is gone
end

function Image(img)
  local src = img.src
  if not src:match(FIGURE) then
    local shown = #src > 80 and (src:sub(1, 77) .. "...") or src
    return refuse(img, "image " .. shown .. " is not a figure of this build; images come "
      .. "only from results/figures/*.png (no other file, URL or data: URI)")
  end
  local data = find(src)
  if data == nil then
    return refuse(img, "image not found: " .. src .. " (resource path: "
      .. table.concat(pandoc.List(PANDOC_STATE.resource_path):map(tostring), ", ") .. ")")
  end
  pandoc.mediabag.insert(src, "image/png", data)
  if FORMAT == "typst" then
    img.src = "/" .. src
  end
  return img
end
