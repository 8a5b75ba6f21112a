import { join } from 'node:path';
import { runFleetFaults } from './fleet-faults.js';

/**
 * npm run soak:fleet: two replicas on a throwaway cluster for 90 s (SOAK_SECONDS) under readers on ten
 * feeds and about five writes a second, connections terminated every 500 ms for 10 s, then the database
 * stopped as by a crash (`pg_ctl stop -m immediate`) for 20 s in the middle (SOAK_OUTAGES outages, spread
 * evenly, SOAK_OUTAGE_SECONDS each). Prints the figures issue 23 asked for; exit status 1 when a crash, a
 * lost write, a duplicate delivery or an outage read of a rendered feed not answered from memory was seen.
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 90);
const count = Number(process.env.SOAK_OUTAGES ?? 1);
const outageSeconds = Number(process.env.SOAK_OUTAGE_SECONDS ?? 20);
const outages = Array.from({ length: count }, (_, i) => ({ at: Math.round(((i + 1) * seconds) / (count + 1) - outageSeconds / 2), seconds: outageSeconds }));
const terminateFrom = Math.max(1, (outages[0]?.at ?? seconds / 2) - 15);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

say(`soak:fleet: ${seconds} s, ${count} outage(s) of ${outageSeconds} s at ${outages.map((o) => `${o.at} s`).join(', ')}, connections terminated every 500 ms from ${terminateFrom} s for 10 s`);
const figures = await runFleetFaults({ main: join(import.meta.dirname, '..', 'src', 'main.js'), seconds, terminate: { from: terminateFrom, until: terminateFrom + 10, everyMs: 500 }, outages, say });
const percent = figures.outageReads === 0 ? 100 : (100 * figures.outageReadsServed) / figures.outageReads;
say(`crashes                                        ${figures.crashes}`);
say(`writes acknowledged                            ${figures.writesAcknowledged}`);
say(`lost writes                                    ${figures.lostWrites.length}${figures.lostWrites.length > 0 ? ` (${figures.lostWrites.slice(0, 10).join(', ')})` : ''}`);
say(`outage reads of rendered feeds from memory     ${percent.toFixed(2)} % (${figures.outageReadsServed} of ${figures.outageReads})`);
if (Object.keys(figures.outageReadFailures).length > 0) say(`  not served: ${JSON.stringify(figures.outageReadFailures)}`);
say(`500s or no answer                              ${figures.serverErrors}`);
say(`duplicate deliveries over ${count} outage(s)          ${figures.duplicateDeliveries} (missed: ${figures.missedDeliveries})`);
say(`resident memory per replica, warm → end (MB)   ${figures.rssMb.map((m) => `${m.before} → ${m.after}`).join(', ')}`);
say(`resident memory every 10 s (MB)               ${figures.rssTimelineMb.map((t) => t.join(' ')).join(' | ')}`);
say(`V8 heap used / total, external at end (MB)    ${figures.heapMb.map((m) => `${m.heapUsed} / ${m.heapTotal}, ${m.external}`).join('; ')}`);
say(`outage log lines per replica (down/up)         ${figures.outageLogLines.map((l) => `${l.down}/${l.up}`).join(', ')}`);
const failed = figures.crashes > 0 || figures.lostWrites.length > 0 || figures.duplicateDeliveries > 0 || figures.missedDeliveries > 0 || percent < 99;
process.exit(failed ? 1 : 0);
