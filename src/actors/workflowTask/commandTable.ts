/**
 * Every command type this build handles (TEMPORAL-API.md §7), one table merged from the feature modules. A
 * command type missing here fails the workflow task with a clear cause (completeWorkflowTask.ts).
 */
import { activityCommandHandlers } from '../activities/activityCommands.js';
import { childCommandHandlers } from '../children/childCommands.js';
import { continueAsNewCommandHandlers } from '../children/continueAsNewCommand.js';
import { externalCommandHandlers } from '../children/externalCommands.js';
import { updateCommandHandlers } from '../updates/updateCommands.js';
import { userTimerCommandHandlers } from '../timers/userTimerCommands.js';
import { defaultCommandHandlers, type CommandHandlerTable } from './commandHandlers.js';
import { markerCommandHandlers } from './markerCommands.js';

/** The handlers RespondWorkflowTaskCompleted uses. */
export const allCommandHandlers: CommandHandlerTable = {
  ...defaultCommandHandlers,
  ...activityCommandHandlers,
  ...userTimerCommandHandlers,
  ...markerCommandHandlers,
  ...updateCommandHandlers,
  ...childCommandHandlers,
  ...externalCommandHandlers,
  ...continueAsNewCommandHandlers,
};
