//! What a request holds until its response is sent, and what it gives back when its handler
//! returns.
//!
//! - The execution slot ([`crate::fair`]) is freed as soon as the handler returns: a slow reader
//!   of the response holds none.
//! - The in-flight permit ([`crate::inflight`]) is kept until the response is sent.
//! - The request body is kept too. Why: after answering a request whose chunked body was not
//!   read (a 401, a 404, a handler that ignores bodies), actix drains that body with no
//!   deadline, so a client trickling chunks (or sending none) holds the connection forever.
//!   Keeping the body's receiving end alive until the response is sent makes actix see an
//!   unread body and close the connection instead (after its 1 s linger), as it already does
//!   for `Content-Length` bodies.

use crate::fair::Slot;
use crate::inflight::Permit;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;
use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A response body that keeps `T` alive until it is sent (or dropped).
pub struct HeldBody<T> {
    body: BoxBody,
    _held: T,
}

impl<T: Unpin> MessageBody for HeldBody<T> {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// The request body, read by the handler through one clone and held by the response through
/// another.
#[derive(Clone)]
struct SharedPayload(Rc<RefCell<Payload>>);

impl Stream for SharedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

pub async fn hold_until_sent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let payload = SharedPayload(Rc::new(RefCell::new(req.take_payload())));
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(payload.clone());
    req.set_payload(Payload::from(stream));
    let res = next.call(req).await?;
    let permit = {
        let mut extensions = res.request().extensions_mut();
        drop(extensions.remove::<Slot>());
        extensions.remove::<Permit>()
    };
    Ok(res.map_body(|_, body| {
        BoxBody::new(HeldBody {
            body: body.boxed(),
            _held: (payload, permit),
        })
    }))
}
