/**
 * The seeded generator (mulberry32) the simulator uses, so a failing re-slicing or random schedule
 * can be replayed; one implementation in the repository.
 */
export { createRandom as seededRandom } from '../../src/sim/random.js';
