import { describe, expect, it } from 'vitest';
import { runFleetFaults } from '../../scripts/fleet-faults.js';
import { canRunCluster } from '../helpers/throwaway-cluster.js';
import { builtFile } from './build.js';

/**
 * Issue 23's fault test: two replica processes on a throwaway cluster
 * under read and write load; their connections terminated every 300 ms
 * for 3 s, then the cluster stopped as by a crash for 3 s and started
 * again. `npm run soak:fleet` runs the same for 90 s.
 */
describe.skipIf(!canRunCluster())('two replicas while their database connections die and the database stops', () => {
  it('no process exits, no acknowledged write is lost, rendered feeds are served throughout, each change is pinged once', async () => {
    const figures = await runFleetFaults({ main: builtFile('src/main.ts'), seconds: 9, terminate: { from: 0.5, until: 3.5, everyMs: 300 }, outages: [{ at: 4, seconds: 3 }] });
    const summary = JSON.stringify(figures);
    expect(figures.crashes, summary).toBe(0);
    expect(figures.writesAcknowledged, summary).toBeGreaterThan(20);
    expect(figures.lostWrites, summary).toEqual([]);
    expect(figures.serverErrors, summary).toBe(0);
    expect(figures.outageReads, summary).toBeGreaterThan(50);
    expect(figures.outageReadFailures, summary).toEqual({});
    expect(figures.outageReadsServed, summary).toBe(figures.outageReads);
    expect(figures.duplicateDeliveries, summary).toBe(0);
    expect(figures.missedDeliveries, summary).toBe(0);
    // The outage is logged once when it starts and once when it ends, not once per 503 (nor per terminated connection).
    for (const lines of figures.outageLogLines) expect(lines, summary).toEqual({ down: 1, up: 1 });
  }, 55_000);
});
