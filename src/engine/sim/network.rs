//! The network: messages on their way between nodes, meeting the message faults (drop,
//! duplicate, delay, reorder, chaos) as they are sent, and handed to whoever receives them.

use super::{Occurrence, Simulation};
use crate::engine::event::{EventKind, LossReason};
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::message::{Body, Message, MessageId, MessageState, Node, SagaId};
use crate::engine::scenario::Coordination;

impl Simulation {
    fn network_delay(&mut self) -> u64 {
        let timing = &self.scenario.timing;
        let (base, jitter) = (timing.network_ms, timing.network_jitter_ms);
        base + self.rng.up_to(jitter) + crate::engine::defect::hidden_delay_ms(self.defect)
    }

    /// Sends a message, applying the message faults that match it. Returns the message id.
    pub(super) fn send(
        &mut self,
        saga: SagaId,
        from: Node,
        to: Node,
        body: Body,
        event_id: u32,
        depart_ms: u64,
    ) -> MessageId {
        let mut delay = self.network_delay();
        let service_end = to.service().or(from.service());
        let choreography = self.scenario.coordination == Coordination::Choreography;
        // Which message faults can act on this hop: a publish can be lost (the relay retries),
        // a delivery into a queue can be repeated or delayed (at-least-once), and in
        // orchestration any command or reply can be lost, repeated or delayed.
        let customer = from == Node::Customer;
        let can_drop = !customer && (!choreography || to == Node::Bus);
        let can_duplicate = !customer && (!choreography || matches!(to, Node::Queue(_)));
        let mut dropped = false;
        let mut duplicate = false;
        if !customer {
            if can_drop
                && self
                    .fire_message_fault(service_end, FaultKind::Drop)
                    .is_some()
            {
                dropped = true;
            }
            if !dropped
                && can_duplicate
                && self
                    .fire_message_fault(service_end, FaultKind::Duplicate)
                    .is_some()
            {
                duplicate = true;
            }
            if let Some(id) = self.fire_message_fault(service_end, FaultKind::Delay) {
                if let Some(FaultSpec::Delay { extra_ms, .. }) =
                    self.faults.get(id).map(|f| &f.spec)
                {
                    delay += *extra_ms;
                }
            }
            if self
                .fire_message_fault(service_end, FaultKind::Reorder)
                .is_some()
            {
                let spread = self.scenario.timing.network_ms.saturating_mul(3);
                delay += self.rng.up_to(spread);
            }
            if let Some(percent) = self.chaos_percent() {
                if self.rng.chance(percent) {
                    match self.rng.up_to(2) {
                        0 if can_drop => dropped = true,
                        1 if can_duplicate => duplicate = true,
                        _ => delay += self.scenario.timing.network_ms * 2,
                    }
                }
            }
        }
        dropped |= crate::engine::defect::loses(self.defect, to, &body);
        let id = self.push_message(
            saga,
            from,
            to,
            body,
            event_id,
            depart_ms,
            depart_ms + delay,
            false,
        );
        if dropped {
            self.lose(id, LossReason::Dropped);
        } else if !crate::engine::defect::vanishes(self.defect, to, &body) {
            self.schedule_seq(depart_ms + delay, Occurrence::Arrive(id));
        }
        if duplicate && !dropped {
            let extra = self.network_delay() / 2 + 1;
            let copy = self.push_message(
                saga,
                from,
                to,
                body,
                event_id,
                depart_ms,
                depart_ms + delay + extra,
                true,
            );
            self.schedule_seq(depart_ms + delay + extra, Occurrence::Arrive(copy));
        }
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn push_message(
        &mut self,
        saga: SagaId,
        from: Node,
        to: Node,
        body: Body,
        event_id: u32,
        sent_ms: u64,
        arrive_ms: u64,
        duplicate: bool,
    ) -> MessageId {
        let id = MessageId::try_from(self.messages.len()).unwrap_or(MessageId::MAX);
        self.messages.push(Message {
            id,
            event_id,
            saga,
            from,
            to,
            body,
            sent_ms,
            arrive_ms,
            state: MessageState::InFlight,
            duplicate,
        });
        self.emit(
            Some(saga),
            EventKind::MessageSent {
                message: id,
                from,
                to,
                body,
                arrive_ms,
                duplicate,
            },
        );
        id
    }

    pub(super) fn set_message_state(&mut self, id: MessageId, state: MessageState) {
        if let Some(m) = self.messages.get_mut(id as usize) {
            m.state = state;
        }
    }

    /// A message reached its receiver, which takes it.
    pub(super) fn arrived(&mut self, message: &Message) {
        self.set_message_state(message.id, MessageState::Handled);
        self.emit(
            Some(message.saga),
            EventKind::MessageArrived {
                message: message.id,
            },
        );
    }

    pub(super) fn lose(&mut self, id: MessageId, reason: LossReason) {
        self.set_message_state(id, MessageState::Lost);
        let saga = self.messages.get(id as usize).map(|m| m.saga);
        self.emit(
            saga,
            EventKind::MessageLost {
                message: id,
                reason,
            },
        );
    }

    pub(super) fn arrive(&mut self, id: MessageId) {
        let Some(message) = self.messages.get(id as usize).cloned() else {
            return;
        };
        match message.to {
            Node::Orchestrator => self.orchestrator_receive(message),
            Node::Service(service) => self.service_receive_command(service, message),
            Node::Bus => self.bus_receive(message),
            Node::Queue(service) => self.enqueue(service, message),
            Node::Customer => {
                self.arrived(&message);
            }
        }
    }
}
