/** The upgrade from a pinned earlier version: one case of upgrade-cases.ts, on its own plane. */
import { describeUpgrade } from './upgrade-cases';

describeUpgrade('70ff91b-renamed-claims');
