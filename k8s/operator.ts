import { Construct } from 'constructs';
import { ApiServerAddress } from './api-server';
import { BitcoinCrdChart } from './bitcoin-crd-chart';
import { BitcoinOperatorChart } from './bitcoin-operator-chart';
import { BitcoinSampleChart, SAMPLE_NAMESPACE } from './bitcoin-sample-chart';

/** The operator's charts by name. Keys are in apply order: the CRD must exist before its users. */
export interface OperatorCharts {
  readonly 'bitcoin-crd': BitcoinCrdChart;
  readonly 'bitcoin-operator': BitcoinOperatorChart;
  readonly 'bitcoin-sample': BitcoinSampleChart;
}

export interface OperatorChartsProps {
  /** The controller image. */
  readonly image: string;
  /** Nodes of the sample BitcoinNetwork. */
  readonly sampleNetworkNodes: number;
  /**
   * Namespaces the controller serves; the sample network's is added. Empty: every namespace.
   * @default []
   */
  readonly controllerNamespaces?: readonly string[];
  /** Where the controller reaches the API server (see `apiServerAddresses`). */
  readonly apiServer: readonly ApiServerAddress[];
}

/** Creates the CRD, controller and sample network charts under `scope`, in apply order. */
export function createOperatorCharts(scope: Construct, props: OperatorChartsProps): OperatorCharts {
  const listed = props.controllerNamespaces ?? [];
  // The sample network is always served; its chart, applied last, creates its namespace.
  const namespaces = listed.length > 0 ? [...new Set([...listed, SAMPLE_NAMESPACE])] : [];
  return {
    'bitcoin-crd': new BitcoinCrdChart(scope, 'bitcoin-crd'),
    'bitcoin-operator': new BitcoinOperatorChart(scope, 'bitcoin-operator', {
      image: props.image,
      namespaces,
      grantedLater: [SAMPLE_NAMESPACE],
      apiServer: props.apiServer,
    }),
    'bitcoin-sample': new BitcoinSampleChart(scope, 'bitcoin-sample', {
      nodes: props.sampleNetworkNodes,
      grantController: namespaces.length > 0,
    }),
  };
}
