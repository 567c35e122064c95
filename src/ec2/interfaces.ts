// Which of an instance's interfaces can carry routes: those with the
// source/destination check off (AWS drops traffic forwarded through any
// other), the lowest device index first. One rule for start-up, the world
// read (other instances, hand-off peers) and `doctor`.
import type { InterfaceView } from './port.js';

/** Lowest device index first; an interface without one last. */
export const byDeviceIndex = (a: InterfaceView, b: InterfaceView): number => (a.deviceIndex ?? 99) - (b.deviceIndex ?? 99);

/** The interfaces routes may point at, best first. */
export function forwardingInterfaces(interfaces: readonly InterfaceView[]): InterfaceView[] {
  return interfaces.filter((n) => !n.sourceDestCheck).sort(byDeviceIndex);
}
