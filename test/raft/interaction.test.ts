/**
 * Goal: protocol scenarios of the Raft core (elections with PreVote and CheckQuorum, log repair, flow control,
 * snapshots, membership changes, leadership transfer, ReadIndex and lease reads) behave step by step as Raft
 * must, message by message.
 * Method: golden scripts in test/raft/testdata/*.txt, each run as its own test case from a fresh interaction
 * environment (etcd-raft's interaction_test.go and rafttest/). Regenerate expected output with CAIRN_REWRITE=1
 * and commit a rewrite only after reading every changed line.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { runDataDrivenDir } from '../support/datadriven.js';
import { InteractionEnv } from './interaction/env.js';
import { handleInteraction } from './interaction/handle.js';

const testdataDir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

describe('raft interaction scripts', () => {
  runDataDrivenDir(testdataDir, {
    forFile: () => {
      const env = new InteractionEnv();
      return (command) => handleInteraction(env, command);
    },
  });
});
