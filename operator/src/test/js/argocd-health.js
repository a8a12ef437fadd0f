// Usage: node argocd-health.js <script.lua> <object.json>
// Runs an Argo CD health script the way Argo CD does (the resource as the global `obj`) and
// prints the table it returns as JSON: {"status": ..., "message": ...}.
const fs = require("fs");
const { lua, lauxlib, lualib, to_luastring, to_jsstring } = require("fengari");

function push(L, value) {
  if (value === null || value === undefined) {
    lua.lua_pushnil(L);
  } else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((v, i) => {
      push(L, v);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else if (typeof value === "object") {
    lua.lua_createtable(L, 0, Object.keys(value).length);
    for (const [k, v] of Object.entries(value)) {
      push(L, v);
      lua.lua_setfield(L, -2, to_luastring(k));
    }
  } else if (typeof value === "number") {
    // Argo CD's Lua (gopher-lua, Lua 5.1) prints whole numbers without ".0"; so do integers here.
    if (Number.isInteger(value)) {
      lua.lua_pushinteger(L, value);
    } else {
      lua.lua_pushnumber(L, value);
    }
  } else if (typeof value === "boolean") {
    lua.lua_pushboolean(L, value);
  } else {
    lua.lua_pushstring(L, to_luastring(String(value)));
  }
}

const [script, object] = process.argv.slice(2);
const L = lauxlib.luaL_newstate();
lualib.luaL_openlibs(L);
push(L, JSON.parse(fs.readFileSync(object, "utf8")));
lua.lua_setglobal(L, to_luastring("obj"));
if (lauxlib.luaL_dostring(L, to_luastring(fs.readFileSync(script, "utf8"))) !== lua.LUA_OK) {
  console.error("lua error: " + to_jsstring(lua.lua_tostring(L, -1)));
  process.exit(1);
}
const result = {};
for (const key of ["status", "message"]) {
  lua.lua_getfield(L, -1, to_luastring(key));
  result[key] = lua.lua_isnil(L, -1) ? null : to_jsstring(lua.lua_tostring(L, -1));
  lua.lua_pop(L, 1);
}
console.log(JSON.stringify(result));
