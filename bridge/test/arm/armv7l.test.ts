/**
 * Issue 18, ARM for real: the packed bridge installed by npm on armv7l Node and run under qemu-user
 * (helpers/arm/arm-bridge.ts). The first run downloads Node and npm into .cache/arm/ and has the
 * emulated npm install the bridge: minutes; later runs reuse them.
 */
import { describeBridgeOnArm } from '../helpers/arm/arm-bridge';

// Each test may wait on several emulated steps (helpers/arm/arm-bridge.ts, EMULATED_MS).
jest.setTimeout(3_600_000);

describeBridgeOnArm('armv7l');
