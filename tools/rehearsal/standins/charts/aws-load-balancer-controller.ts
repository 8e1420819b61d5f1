/**
 * Stand-in for the aws-load-balancer-controller chart 3.2.2 (aws/eks-charts): ServiceAccount,
 * Deployment, webhook Service, IngressClassParams and IngressClass, and the Mutating and
 * Validating webhook configurations with the real chart's names, failure policies, rules,
 * selectors and the values that turn them off. The webhooks' caBundle is the rehearsal's CA.
 * Left out: the webhooks for QUIC server ids and ALB target control (their selectors need labels
 * none of our objects carry), the TLS Secret (the admission stand-in has its own certificate) and
 * the CRDs other than IngressClassParams.
 * @see https://github.com/aws/eks-charts/tree/master/stable/aws-load-balancer-controller
 */
import { INGRESS_CLASS_PARAMS_CRD } from './ingress-class-params-crd';
import type { StandInChart } from './stand-in-chart';

const HELPERS = `
{{- define "lbc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "lbc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (default .Chart.Name .Values.nameOverride) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (default .Chart.Name .Values.nameOverride) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- define "lbc.namePrefix" -}}
{{- default (.Chart.Name | trimSuffix "-controller") .Values.nameOverride | trunc 42 | trimSuffix "-" -}}
{{- end -}}
{{- define "lbc.webhookService" -}}
{{- printf "%s-webhook-service" (include "lbc.namePrefix" .) -}}
{{- end -}}
{{- define "lbc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lbc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "lbc.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "lbc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "lbc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "lbc.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}
{{- define "lbc.notSelf" -}}
matchExpressions:
- key: app.kubernetes.io/name
  operator: NotIn
  values:
  - {{ include "lbc.name" . }}
{{- end -}}
`;

const SERVICE_ACCOUNT = `
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "lbc.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "lbc.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
`;

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "lbc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "lbc.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "lbc.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "lbc.selectorLabels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "lbc.serviceAccountName" . }}
      containers:
      - name: {{ .Chart.Name }}
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        args:
        - --cluster-name={{ required "Chart cannot be installed without a valid clusterName!" .Values.clusterName }}
        - --ingress-class={{ .Values.ingressClass }}
        {{- with .Values.region }}
        - --aws-region={{ . }}
        {{- end }}
        {{- with .Values.vpcId }}
        - --aws-vpc-id={{ . }}
        {{- end }}
        ports:
        - name: webhook-server
          containerPort: {{ .Values.webhookBindPort | default 9443 }}
        - name: metrics-server
          containerPort: 8080
`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: {{ include "lbc.webhookService" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "lbc.labels" . | nindent 4 }}
    app.kubernetes.io/component: webhook
spec:
  ports:
  - name: webhook-server
    port: 443
    targetPort: webhook-server
  selector:
    {{- include "lbc.selectorLabels" . | nindent 4 }}
`;

// A List, as upstream: Helm orders kinds it does not know (the List) after the webhooks.
const INGRESS_CLASS = `
{{- if .Values.createIngressClassResource }}
apiVersion: v1
kind: List
items:
{{- if .Values.ingressClassParams.create }}
- apiVersion: elbv2.k8s.aws/v1beta1
  kind: IngressClassParams
  metadata:
    name: {{ default .Values.ingressClass .Values.ingressClassParams.name }}
    labels:
      {{- include "lbc.labels" . | nindent 6 }}
{{- end }}
- apiVersion: networking.k8s.io/v1
  kind: IngressClass
  metadata:
    name: {{ .Values.ingressClass }}
    labels:
      {{- include "lbc.labels" . | nindent 6 }}
  spec:
    controller: ingress.k8s.aws/alb
{{- end }}
`;

/** One webhook entry: clientConfig from the release, the rest from `rest`. */
const webhook = (name: string, path: string, rest: string) => `
- name: ${name}
  admissionReviewVersions: [v1beta1]
  sideEffects: None
  clientConfig:
    caBundle: {{ $caBundle }}
    service:
      name: {{ include "lbc.webhookService" . }}
      namespace: {{ .Release.Namespace }}
      path: ${path}
${rest.trim().replace(/^/gm, '  ')}`;

const rules = (group: string, version: string, resource: string, operations: string) => `
rules:
- apiGroups: ["${group}"]
  apiVersions: [${version}]
  operations: ${operations}
  resources: [${resource}]`;

const webhooks = (caBundle: string) => `
{{- $caBundle := "${caBundle}" }}
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: {{ include "lbc.namePrefix" . }}-webhook
  labels:
    {{- include "lbc.labels" . | nindent 4 }}
webhooks:
${webhook(
  'mpod.elbv2.k8s.aws',
  '/mutate-v1-pod',
  `
failurePolicy: {{ .Values.podMutatorWebhookConfig.failurePolicy }}
namespaceSelector:
  matchExpressions:
  - key: elbv2.k8s.aws/pod-readiness-gate-inject
    operator: In
    values: [enabled]
objectSelector:
  {{- include "lbc.notSelf" . | nindent 4 }}
${rules('', 'v1', 'pods', '[CREATE]')}`,
)}
{{- if .Values.enableServiceMutatorWebhook }}
${webhook(
  'mservice.elbv2.k8s.aws',
  '/mutate-v1-service',
  `
failurePolicy: {{ .Values.serviceMutatorWebhookConfig.failurePolicy }}
objectSelector:
  {{- include "lbc.notSelf" . | nindent 4 }}
${rules('', 'v1', 'services', '{{ toJson .Values.serviceMutatorWebhookConfig.operations }}')}`,
)}
{{- end }}
${webhook(
  'mtargetgroupbinding.elbv2.k8s.aws',
  '/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding',
  `
failurePolicy: Fail
${rules('elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings', '[CREATE, UPDATE]')}`,
)}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {{ include "lbc.namePrefix" . }}-webhook
  labels:
    {{- include "lbc.labels" . | nindent 4 }}
webhooks:
${webhook(
  'vingressclassparams.elbv2.k8s.aws',
  '/validate-elbv2-k8s-aws-v1beta1-ingressclassparams',
  `
failurePolicy: Fail
objectSelector:
  {{- include "lbc.notSelf" . | nindent 4 }}
${rules('elbv2.k8s.aws', 'v1beta1', 'ingressclassparams', '[CREATE, UPDATE]')}`,
)}
${webhook(
  'vtargetgroupbinding.elbv2.k8s.aws',
  '/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding',
  `
failurePolicy: Fail
${rules('elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings', '[CREATE, UPDATE]')}`,
)}
{{- if not .Values.webhookConfig.disableIngressValidation }}
${webhook(
  'vingress.elbv2.k8s.aws',
  '/validate-networking-v1-ingress',
  `
failurePolicy: {{ .Values.webhookConfig.ingressValdationFailurePolicy }}
matchPolicy: Equivalent
${rules('networking.k8s.io', 'v1', 'ingresses', '[CREATE, UPDATE]')}`,
)}
{{- end }}
`;

export function awsLoadBalancerController(caBundle: string): StandInChart {
  return {
    name: 'aws-load-balancer-controller',
    version: '3.2.2',
    appVersion: 'v3.2.2',
    values: {
      replicaCount: 2,
      nameOverride: '',
      fullnameOverride: '',
      image: { repository: 'public.ecr.aws/eks/aws-load-balancer-controller', tag: 'v3.2.2' },
      serviceAccount: { create: true, name: null, annotations: {} },
      clusterName: null,
      region: null,
      vpcId: null,
      ingressClass: 'alb',
      createIngressClassResource: true,
      ingressClassParams: { create: true, name: null },
      webhookBindPort: null,
      enableServiceMutatorWebhook: true,
      serviceMutatorWebhookConfig: { failurePolicy: 'Fail', operations: ['CREATE'] },
      podMutatorWebhookConfig: { failurePolicy: 'Ignore' },
      webhookConfig: { disableIngressValidation: null, ingressValdationFailurePolicy: 'Fail' },
    },
    templates: {
      '_helpers.tpl': HELPERS,
      'serviceaccount.yaml': SERVICE_ACCOUNT,
      'deployment.yaml': DEPLOYMENT,
      'service.yaml': SERVICE,
      'ingressclass.yaml': INGRESS_CLASS,
      'webhook.yaml': webhooks(caBundle),
    },
    crds: { 'ingressclassparams.yaml': INGRESS_CLASS_PARAMS_CRD },
  };
}
