/**
 * Stand-in for the cluster-autoscaler chart: its ServiceAccount, Deployment and Service, named
 * from the same values as the real chart's helpers (cloudProvider, nameOverride, rbac.serviceAccount).
 * @see https://github.com/kubernetes/autoscaler/tree/master/charts/cluster-autoscaler
 */
import type { StandInChart } from './stand-in-chart';

const HELPERS = `
{{- define "ca.name" -}}
{{- default (printf "%s-%s" .Values.cloudProvider .Chart.Name) .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "ca.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if eq (include "ca.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ca.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- define "ca.selectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/name: {{ include "ca.name" . | quote }}
{{- end -}}
{{- define "ca.labels" -}}
{{ include "ca.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end -}}
{{- define "ca.serviceAccountName" -}}
{{- if .Values.rbac.serviceAccount.create -}}
{{ default (include "ca.fullname" .) .Values.rbac.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.rbac.serviceAccount.name }}
{{- end -}}
{{- end -}}
`;

const SERVICE_ACCOUNT = `
{{- if .Values.rbac.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "ca.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "ca.labels" . | nindent 4 }}
{{- end }}
`;

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "ca.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "ca.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "ca.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "ca.selectorLabels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "ca.serviceAccountName" . }}
      containers:
        - name: {{ include "ca.name" . }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          args:
            - --cloud-provider={{ .Values.cloudProvider }}
            {{- with .Values.autoDiscovery.clusterName }}
            - --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/{{ . }}
            {{- end }}
            {{- range $key, $value := .Values.extraArgs }}
            - --{{ $key }}={{ $value }}
            {{- end }}
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: 8085
`;

const SERVICE = `
{{- if .Values.service.create }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ca.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "ca.labels" . | nindent 4 }}
spec:
  ports:
    - name: {{ .Values.service.portName }}
      port: {{ .Values.service.servicePort }}
      targetPort: 8085
      protocol: TCP
  selector:
    {{- include "ca.selectorLabels" . | nindent 4 }}
{{- end }}
`;

export const clusterAutoscaler: StandInChart = {
  name: 'cluster-autoscaler',
  version: '9.59.0',
  // Not checked against the published 9.59.0; it only ends up in labels.
  appVersion: '1.35.0',
  values: {
    cloudProvider: 'aws',
    awsRegion: 'us-east-1',
    nameOverride: '',
    fullnameOverride: '',
    replicaCount: 1,
    autoDiscovery: { clusterName: null },
    image: { repository: 'registry.k8s.io/autoscaling/cluster-autoscaler', tag: 'v1.35.0' },
    rbac: { serviceAccount: { create: true, name: '' } },
    extraArgs: {},
    resources: {},
    service: { create: true, servicePort: 8085, portName: 'http' },
  },
  templates: {
    '_helpers.tpl': HELPERS,
    'serviceaccount.yaml': SERVICE_ACCOUNT,
    'deployment.yaml': DEPLOYMENT,
    'service.yaml': SERVICE,
  },
};
