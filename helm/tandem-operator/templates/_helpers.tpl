{{/*
The release's name, without doubling: `helm install tandem` or `helm install tandem-operator`
gives tandem-operator (not tandem-tandem-operator); another release name is prefixed
(`helm install cobrowse` gives cobrowse-tandem-operator).
*/}}
{{- define "tandem-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else if hasPrefix .Release.Name .Chart.Name -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tandem-operator.serviceAccountName" -}}
{{- default (include "tandem-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Cluster-scoped names carry the namespace, so two releases never collide. */}}
{{- define "tandem-operator.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "tandem-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tandem-operator.labels" -}}
app.kubernetes.io/name: tandem-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "tandem-operator.selectorLabels" -}}
app.kubernetes.io/name: tandem-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
