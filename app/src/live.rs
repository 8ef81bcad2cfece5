//! Live updates. While someone is signed in, the browser keeps one `EventSource` on
//! `/api/events`; the server pushes the id of every shipment of the caller's account
//! that changed (fed by a LIVE SELECT on the database, so a change made through any
//! replica arrives). Pages put [`Live::changes_to`] or [`Live::any_change`] in their
//! resources' sources and so fetch again. Each time the stream (re)opens, everything
//! is fetched again, and when the server says `*`: what changed while it was down is
//! not missed.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Live {
    /// Counts pushes; bumped for each event and each (re)connection.
    tick: RwSignal<u64>,
    /// The shipment the last push was about; empty after a (re)connection, meaning
    /// "anything may have changed".
    last: RwSignal<String>,
}

impl Live {
    pub fn provide() -> Live {
        let live = Live {
            tick: RwSignal::new(0),
            last: RwSignal::new(String::new()),
        };
        provide_context(live);
        #[cfg(feature = "hydrate")]
        {
            let session = crate::ui::use_session();
            Effect::new(move |_| {
                let signed_in = matches!(session.me.get(), Some(Ok(Some(_))));
                if signed_in {
                    browser::connect(live);
                } else {
                    browser::disconnect();
                }
            });
        }
        live
    }

    /// Changes whenever anything of the account changed.
    pub fn any_change(self) -> u64 {
        self.tick.get()
    }

    /// A memo that changes only when shipment `id` (or possibly anything) changed.
    pub fn changes_to(self, id: impl Fn() -> String + Send + Sync + 'static) -> Memo<u64> {
        Memo::new(move |previous: Option<&u64>| {
            let tick = self.tick.get();
            let last = self.last.get_untracked();
            match previous {
                Some(previous) if !last.is_empty() && last != id() => *previous,
                _ => tick,
            }
        })
    }

    #[cfg(feature = "hydrate")]
    fn push(self, shipment: String) {
        self.last.set(shipment);
        self.tick.update(|t| *t += 1);
    }
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::Live;

    struct Open {
        source: EventSource,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_open: Closure<dyn FnMut(web_sys::Event)>,
    }

    thread_local! {
        static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
    }

    pub fn connect(live: Live) {
        OPEN.with(|open| {
            let mut open = open.borrow_mut();
            if open
                .as_ref()
                .is_some_and(|o| o.source.ready_state() != EventSource::CLOSED)
            {
                return;
            }
            let Ok(source) = EventSource::new("/api/events") else {
                return;
            };
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                // `*`: anything may have changed (the server missed or dropped events).
                match e.data().as_string() {
                    Some(id) if id == "*" => live.push(String::new()),
                    Some(id) => live.push(id),
                    None => {}
                }
            });
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                live.push(String::new());
            });
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            *open = Some(Open {
                source,
                _on_message: on_message,
                _on_open: on_open,
            });
        });
    }

    pub fn disconnect() {
        OPEN.with(|open| {
            if let Some(o) = open.borrow_mut().take() {
                o.source.close();
            }
        });
    }
}
