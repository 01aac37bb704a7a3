--[[
typst-images.lua: image paths for typst (typst output only).

The Markdown writes image paths relative to the project root (the working
directory), and pandoc finds them through --resource-path. typst, however,
resolves a relative path against the .typ file, and refuses files outside its
project root. reviewkit.assemble compiles the .typ with root = the directory
in the environment variable REVIEWKIT_TYPST_ROOT; this filter looks each local
image up in pandoc's resource path and rewrites it as a root-relative typst
path ("/results/figures/x.png"), so the .typ compiles wherever it is written.

A missing image or one outside the root is reported as a pandoc warning
starting with "reviewkit images:" (reviewkit.assemble fails on it).
]]

local path = pandoc.path

local function exists(file)
  local handle = io.open(file, "rb")
  if handle then
    handle:close()
    return true
  end
  return false
end

local function find(src)
  if path.is_absolute(src) then
    return exists(src) and src or nil
  end
  local cwd = pandoc.system.get_working_directory()
  for _, dir in ipairs(PANDOC_STATE.resource_path) do
    local candidate = path.normalize(path.join { path.is_absolute(dir) and dir
      or path.join { cwd, dir }, src })
    if exists(candidate) then
      return candidate
    end
  end
  return nil
end

local root = os.getenv("REVIEWKIT_TYPST_ROOT")

function Image(img)
  if root == nil or img.src:match("^%a[%w+.-]*:") then -- no root, or a URL
    return nil
  end
  local found = find(img.src)
  if found == nil then
    pandoc.log.warn("reviewkit images: image not found: " .. img.src .. " (resource path: "
      .. table.concat(pandoc.List(PANDOC_STATE.resource_path):map(tostring), ", ") .. ")")
    return nil
  end
  local relative = path.make_relative(found, root)
  if relative:match("^%.%.") or path.is_absolute(relative) then
    pandoc.log.warn("reviewkit images: image " .. found .. " lies outside the typst root " .. root)
    return nil
  end
  img.src = "/" .. relative:gsub("\\", "/")
  return img
end
