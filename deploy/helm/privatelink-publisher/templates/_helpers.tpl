{{/* Chart name, overridable. */}}
{{- define "plp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "plp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels that select the controller pods; never change across upgrades. */}}
{{- define "plp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "plp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "plp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "plp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "plp.leaseName" -}}
{{- default (include "plp.fullname" .) .Values.controller.leaderElection.id }}
{{- end }}

{{/*
The cluster id tagged on every AWS resource: controller.clusterId, else the UID of this
cluster's kube-system namespace (unique per cluster and stable across upgrades), looked up at
install time. `helm template` cannot look it up: set controller.clusterId there.
*/}}
{{- define "plp.clusterId" -}}
{{- if .Values.controller.clusterId }}
{{- .Values.controller.clusterId }}
{{- else }}
{{- $kubeSystem := lookup "v1" "Namespace" "" "kube-system" }}
{{- if $kubeSystem }}
{{- $kubeSystem.metadata.uid }}
{{- end }}
{{- end }}
{{- end }}

{{- define "plp.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The controller's command-line flags, one per value (see values.yaml). */}}
{{- define "plp.args" -}}
{{- $c := .Values.controller -}}
- {{ printf "--http-address=:%v" $c.httpPort | quote }}
- {{ printf "--log-level=%s" $c.logLevel | quote }}
- {{ printf "--concurrency=%v" $c.concurrency | quote }}
- {{ printf "--resync-period=%s" $c.resyncPeriod | quote }}
- {{ printf "--observe-period=%s" $c.observePeriod | quote }}
- {{ printf "--full-recheck-period=%s" $c.fullRecheckPeriod | quote }}
- {{ printf "--aws-api-share=%v" $c.awsApiShare | quote }}
- {{ printf "--alb-rule-quota=%v" $c.albRuleQuota | quote }}
- {{ printf "--alb-certificate-quota=%v" $c.albCertificateQuota | quote }}
{{- if $c.leaderElection.enabled }}
- "--leader-elect"
- {{ printf "--leader-election-id=%s" (include "plp.leaseName" .) | quote }}
- {{ printf "--leader-election-namespace=%s" .Release.Namespace | quote }}
- {{ printf "--leader-elect-lease-duration=%s" $c.leaderElection.leaseDuration | quote }}
- {{ printf "--leader-elect-renew-deadline=%s" $c.leaderElection.renewDeadline | quote }}
- {{ printf "--leader-elect-retry-period=%s" $c.leaderElection.retryPeriod | quote }}
{{- end }}
{{- with $c.namespaces }}
- {{ printf "--namespaces=%s" (join "," .) | quote }}
{{- end }}
{{- with $c.region }}
- {{ printf "--region=%s" . | quote }}
{{- end }}
{{- with include "plp.clusterId" . }}
- {{ printf "--cluster-id=%s" . | quote }}
{{- end }}
{{- if $c.dryRun }}
- "--dry-run"
{{- end }}
{{- if $c.singleTenant }}
- "--single-tenant"
{{- end }}
{{- range $c.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}
