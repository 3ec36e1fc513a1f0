/**
 * "No ack leaves before the persist it confirms" (thesis §3.8; invariant 3's root cause in NATS and Redpanda
 * analyses): when a node sends a granted vote, its durable hard state must already hold that vote; when it
 * acknowledges an append up to index i, its durable log must already reach i. Checked at the moment the
 * transport takes the message.
 */
import type { Message } from '../../../src/raft/core/types.js';
import type { HardState } from '../../../src/raft/core/types.js';
import type { ViolationLog } from './violations.js';

export interface DurableView {
  durableHardState(groupId: number): HardState | null;
  durableLastIndex(groupId: number): number;
}

export class AckAfterPersistChecker {
  checkedAcks = 0;

  constructor(private readonly log: ViolationLog) {}

  onSend(groupId: number, message: Message, disk: DurableView): void {
    if (message.type === 'voteResp' && !message.reject) {
      this.checkedAcks++;
      const hardState = disk.durableHardState(groupId);
      const covered =
        hardState !== null &&
        (hardState.term > message.term || (hardState.term === message.term && hardState.vote === message.to));
      if (!covered) {
        this.log.report(
          'ackAfterPersist',
          `g${groupId} n${message.from} granted its vote to n${message.to} in term ${message.term} ` +
            `before persisting it (durable ${JSON.stringify(hardState)})`
        );
      }
    } else if (message.type === 'appResp' && !message.reject) {
      this.checkedAcks++;
      const durableLast = disk.durableLastIndex(groupId);
      if (durableLast < message.index) {
        this.log.report(
          'ackAfterPersist',
          `g${groupId} n${message.from} acked index ${message.index} to n${message.to} ` +
            `with durable last index ${durableLast}`
        );
      }
    }
  }
}
