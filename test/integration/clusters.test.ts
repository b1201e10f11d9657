// The tests that start three-broker clusters of their own, one after the other in one file: each cluster is
// three broker JVMs, and more as brokers are killed and started again; two starting side by side starve each
// other, and the files beside them, of the two cores. One file also runs early, as the longest.
//   clusters/kafka-cli.ts      `npm run kafka` as a host runs it (TRIBUTARY_TEST_CLUSTER_PORT)
//   clusters/three-brokers.ts  the course on three brokers, then brokers killed under learners' runs (+30)
import { describe } from "vitest";
import { kafkaCliSuite } from "./clusters/kafka-cli.ts";
import { threeBrokersSuite } from "./clusters/three-brokers.ts";

describe("the CLI's clusters", kafkaCliSuite);
describe("a cluster of three for the course", threeBrokersSuite);
