import { errors } from './errors.ts'

/**
 * A policy simulation's life, as data: it is stored `simulated` and may be
 * adopted once. Whether the policy it read has changed since (409
 * STALE_SIMULATION) is decided at adoption from the fingerprint, not by a
 * state: a stale simulation stays `simulated` for the record.
 */
export const SIMULATION_STATES = ['simulated', 'adopted'] as const
export type SimulationState = typeof SIMULATION_STATES[number]

export const SIMULATION_EVENTS = ['adopt'] as const
export type SimulationEvent = typeof SIMULATION_EVENTS[number]

export const SIMULATION_TRANSITIONS: Readonly<Record<SimulationState, Readonly<Partial<Record<SimulationEvent, SimulationState>>>>> = {
  simulated: { adopt: 'adopted' },
  adopted: {}
}

/** The next state; 409 INVALID_STATE when the state forbids the event. */
export function simulationTransition (state: SimulationState, event: SimulationEvent): SimulationState {
  const next = SIMULATION_TRANSITIONS[state]?.[event]
  if (next == null) throw errors.invalidState(state, `a simulation in state ${state} cannot be ${event}ed again`)
  return next
}
