/**
 * Readable views of a fetched history for the scenario assertions: event types as 'ActivityTaskScheduled' rather
 * than numbers, so a failed shape check prints a diff a person can read against TEMPORAL-API.md §5.
 */
import { temporal } from '@temporalio/proto';

/** A history as the client's fetchHistory returns it. */
export type History = temporal.api.history.v1.IHistory;
/** One history event. */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { EventType } = temporal.api.enums.v1;

/** 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' (or its number) → 'ActivityTaskScheduled'. */
export function eventName(eventType: HistoryEvent['eventType']): string {
  const enumName = typeof eventType === 'number' ? EventType[eventType] : String(eventType);
  return (enumName ?? String(eventType))
    .replace(/^EVENT_TYPE_/, '')
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join('');
}

/** The events of `history`, in order. */
export function eventsIn(history: History): HistoryEvent[] {
  return history.events ?? [];
}

/** The event types of `history`, in order, as readable names. */
export function eventNames(history: History): string[] {
  return eventsIn(history).map((event) => eventName(event.eventType));
}

/** The events of type `name` ('TimerStarted'), in order. */
export function eventsNamed(history: History, name: string): HistoryEvent[] {
  return eventsIn(history).filter((event) => eventName(event.eventType) === name);
}

/** How many events of type `name` the history holds. */
export function countOf(history: History, name: string): number {
  return eventsNamed(history, name).length;
}

/** The only event of type `name`; throws with the full shape when there is not exactly one. */
export function onlyEvent(history: History, name: string): HistoryEvent {
  const found = eventsNamed(history, name);
  const [first] = found;
  if (found.length !== 1 || first === undefined) {
    throw new Error(`expected exactly one ${name}, found ${found.length} in [${eventNames(history).join(', ')}]`);
  }
  return first;
}

/** The names of the events with workflow-task events removed (the feature events in order). */
export function featureEventNames(history: History): string[] {
  return eventNames(history).filter((name) => !name.startsWith('WorkflowTask'));
}

/** The event ids of `history` as numbers. */
export function eventIds(history: History): number[] {
  return eventsIn(history).map((event) => Number(event.eventId));
}
