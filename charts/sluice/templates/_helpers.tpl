{{/* The name every object of this release starts with. */}}
{{- define "sluice.fullname" -}}
{{- if contains "sluice" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-sluice" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sluice.operator" -}}{{ include "sluice.fullname" . }}-operator{{- end -}}
{{- define "sluice.injector" -}}{{ include "sluice.fullname" . }}-sidecar-injector{{- end -}}
{{- define "sluice.tlsSecret" -}}{{ include "sluice.fullname" . }}-operator-tls{{- end -}}
{{- define "sluice.caConfigMap" -}}{{ include "sluice.fullname" . }}-ca{{- end -}}

{{- define "sluice.labels" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sluice.selector" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) -}}
{{- end -}}

{{/*
Whether to render a Prometheus operator object of .kind: .enabled true renders it, false does not,
auto renders it when the cluster serves monitoring.coreos.com/v1/<kind> (helm install and upgrade
ask the API server; helm template needs --api-versions monitoring.coreos.com/v1/<kind>). Prints
"true" or nothing.
*/}}
{{- define "sluice.monitoring" -}}
{{- $enabled := toString .enabled -}}
{{- if eq $enabled "true" -}}
true
{{- else if and (eq $enabled "auto") (.capabilities.APIVersions.Has (printf "monitoring.coreos.com/v1/%s" .kind)) -}}
true
{{- end -}}
{{- end -}}
