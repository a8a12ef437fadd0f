-- Argo CD health check for Sluice's ProxyRoute and OffloadAgent (sluice.dev/v1alpha1).
-- Install as resource.customizations.health.sluice.dev_ProxyRoute and
-- resource.customizations.health.sluice.dev_OffloadAgent in argocd-cm (see docs/operator.md).
-- Reads the kstatus conditions the operator writes: Stalled=True needs a human (Degraded),
-- Reconciling=True is work in progress (Progressing), Ready=True is Healthy.
local hs = { status = "Progressing", message = "Waiting for the Sluice operator to report status" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata ~= nil and obj.metadata.generation ~= nil and
    (obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation) then
  hs.message = "Waiting for the Sluice operator to observe generation " .. obj.metadata.generation
  return hs
end
local ready, stalled, reconciling
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    ready = c
  elseif c.type == "Stalled" then
    stalled = c
  elseif c.type == "Reconciling" then
    reconciling = c
  end
end
local function says(c)
  return (c.reason or "") .. ": " .. (c.message or "")
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = says(stalled)
elseif reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = says(reconciling)
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
elseif ready ~= nil and ready.reason == "NoPodsSelected" then
  -- Nothing to serve yet and nothing wrong: the selector picks no pod with a sidecar.
  hs.status = "Healthy"
  hs.message = says(ready)
elseif ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = says(ready)
end
return hs
