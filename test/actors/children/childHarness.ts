/**
 * Test helpers for the children module: completions with the children's command handlers merged into the default
 * table, harnesses for runs created by a transition (continue-as-new, a started child), and command builders.
 */

import { childCommandHandlers } from '../../../src/actors/children/childCommands.js';
import { continueAsNewCommandHandlers } from '../../../src/actors/children/continueAsNewCommand.js';
import { externalCommandHandlers } from '../../../src/actors/children/externalCommands.js';
import type { HistoryEvent, ProtoMessage } from '../../../src/actors/history/events.js';
import { defaultCommandHandlers, type ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { RunHarness } from '../workflowTask/runHarness.js';

/** The default handlers plus the ones under test. */
export const handlers = {
  ...defaultCommandHandlers,
  ...continueAsNewCommandHandlers,
  ...childCommandHandlers,
  ...externalCommandHandlers,
};

/** Completes `run`'s started task with `commands`; `freshRunId` goes into the context (continue-as-new). */
export function completeWith(
  run: RunHarness,
  commands: readonly ProtoCommand[],
  freshRunId?: string
): TransitionResult {
  const task = run.token();
  return run.apply((state, context) =>
    completeWorkflowTask(
      state,
      {
        task,
        identity: 'worker',
        commands,
        metadata: {},
        stickiness: null,
        forceCreateNewWorkflowTask: false,
        messages: [],
      },
      freshRunId === undefined ? context : { ...context, freshRunId },
      handlers
    )
  );
}

/** A harness holding a run that `created` started (its state and events), continuing `from`'s clock and taskIds. */
export function harnessOf(created: TransitionResult, from: RunHarness): RunHarness {
  const run = new RunHarness();
  run.state = created.state;
  run.history.splice(0, run.history.length, ...created.events);
  run.nowMs = from.nowMs;
  run.taskIdNext = Math.max(from.taskIdNext, created.taskIdNext);
  return run;
}

/** A command of `commandType` with its attributes member. */
export function command(commandType: string, member: string, attributes: ProtoMessage): ProtoCommand {
  return { commandType, [member]: attributes };
}

/** START_CHILD_WORKFLOW_EXECUTION. */
export function startChildCommand(workflowId: string, extra: ProtoMessage = {}): ProtoCommand {
  return command('COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION', 'startChildWorkflowExecutionCommandAttributes', {
    workflowId,
    workflowType: { name: 'childType' },
    input: { payloads: [{ data: workflowId }] },
    control: `ctl-${workflowId}`,
    ...extra,
  });
}

/** CONTINUE_AS_NEW_WORKFLOW_EXECUTION. */
export function continueAsNewCommand(attributes: ProtoMessage = {}): ProtoCommand {
  return command(
    'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
    'continueAsNewWorkflowExecutionCommandAttributes',
    attributes
  );
}

/** The attributes member of `event` ({} when absent). */
export function attributesOf(event: HistoryEvent | undefined): Record<string, unknown> {
  const record = (event ?? {}) as unknown as Record<string, unknown>;
  return (record[String(record['attributes'])] ?? {}) as Record<string, unknown>;
}
