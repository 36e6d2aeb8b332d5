//! [`Client`]: its configuration, the access token every request shares, and the one function
//! every API call goes through, with its retries.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::{debug, instrument};
use url::Url;

use super::auth::{AccessToken, Auth, RenewRequest, TokenResponse, TokenSlot};
use super::error::{ApiError, Error, NetworkProblem};
use super::proxy::{self, ProxyRules};
use super::retry::{self, RetryPolicy};
use super::secrets_batch::Batches;
use super::snapshot::Snapshots;
use crate::secret::Secret;

/// Infisical Cloud, the host when none is configured.
pub const DEFAULT_HOST: &str = "https://app.infisical.com";

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("terraform-provider-infisical/", env!("CARGO_PKG_VERSION"));

/// The largest answer the client reads by default: 32 MiB, room for a list of well over a
/// hundred thousand connections (each about 1 KiB of JSON).
pub const DEFAULT_ANSWER_LIMIT: usize = 32 * 1024 * 1024;

/// How a [`Client`] talks to Infisical.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The Infisical host, e.g. `https://app.infisical.com`. A trailing slash, `/api` or
    /// `/api/v1` is ignored, and a path prefix is kept (`https://example.com/infisical`).
    pub host: Url,
    /// How to obtain an access token.
    pub auth: Auth,
    /// The limit for one attempt of one request, answer body included.
    pub timeout: Duration,
    /// When failed requests are retried.
    pub retry: RetryPolicy,
    /// A token that expires within this margin is renewed before use (capped at half the
    /// token's lifetime).
    pub token_refresh_margin: Duration,
    /// The largest answer body read, in bytes; a larger one fails the request (enforced while
    /// reading, so memory stays bounded whatever the server sends).
    pub answer_limit: usize,
    /// The proxies; `None` reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (either case) from
    /// the environment when the client is built, by Go's rules (see [`ProxyRules`]).
    pub proxy: Option<ProxyRules>,
}

impl ClientConfig {
    /// The defaults: 30 s per request, [`RetryPolicy::default`], renew a minute before expiry.
    pub fn new(host: Url, auth: Auth) -> Self {
        Self {
            host,
            auth,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(60),
            answer_limit: DEFAULT_ANSWER_LIMIT,
            proxy: None,
        }
    }
}

/// A client for the Infisical API. Cheap to clone: clones share the connection pool and the
/// access token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    timeout: Duration,
    retry: RetryPolicy,
    token_refresh_margin: Duration,
    answer_limit: usize,
    /// The proxies, to name the one a failed request went through.
    proxy: Arc<ProxyRules>,
    /// Held while a token is obtained, so that concurrent first requests share one login.
    token: Mutex<TokenSlot>,
    /// Cancelled by [`Client::stop_waiting`] (then replaced): requests waiting to retry give up.
    stop: std::sync::Mutex<CancellationToken>,
    /// Until when the rate limiter asked this process to send nothing: one 429 holds back every
    /// request, so that the wait is spent once instead of once per request.
    hold_until: std::sync::Mutex<Option<Instant>>,
    /// Which reads a listing may serve (see [`Snapshots`]).
    snapshots: Snapshots,
    /// Secret writes waiting to leave together (see [`Batches`]).
    batches: Batches,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.inner.base.as_str())
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

/// Whether sending a request twice could do something twice. [`Client::request`] decides by
/// the method (POST creates); a request whose effect its method does not tell says its own with
/// [`Client::request_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// A repeat has the same effect: GET, PATCH, a plain DELETE, logins, a read done by POST.
    Safe,
    /// A repeat could do the thing again, or meet what the first attempt started: a create, a
    /// request that queues a job.
    Unsafe,
}

/// One request, ready to be attempted as often as the policy allows.
struct Call {
    method: Method,
    url: Url,
    /// For logs and errors: the path only, never the query or the body.
    path: String,
    /// The JSON body; may hold secrets, so it is never logged.
    body: Option<Vec<u8>>,
    repeat: Repeat,
    /// Whether the answer carries a secret (a token), so decoding errors must not quote it.
    secret_answer: bool,
}

/// A success answer.
struct Answer {
    status: StatusCode,
    /// The `Content-Type`, to explain an answer that is not JSON.
    content_type: Option<String>,
    body: Vec<u8>,
}

/// What reading an answer gave.
enum Read {
    Whole(StatusCode, HeaderMap, Vec<u8>),
    /// Larger than the limit: reading stopped there.
    TooLarge,
}

/// Why one attempt failed.
enum Failure {
    /// An error status.
    Status {
        api: Box<ApiError>,
        retry_after: Option<Duration>,
    },
    /// The connection could not be opened: nothing was sent.
    NotSent(String, NetworkProblem),
    /// The connection failed after the request may have been sent.
    Sent(String),
    /// No answer in time; `sent` is false when it was the connection that timed out.
    TimedOut { sent: bool },
    /// A local problem that no retry can fix.
    Fatal(Error),
}

impl Client {
    /// Builds a client. Nothing is sent until the first call (or [`Client::authenticate`]).
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let base = normalize_host(config.host)?;
        let proxy = Arc::new(match config.proxy {
            Some(rules) => rules,
            None => ProxyRules::from_env()?,
        });
        // reqwest's own reading of the proxy variables differs from Go's (it proxies loopback,
        // ignores `host:port` entries): ours replaces it.
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .no_proxy();
        if !proxy.is_empty() {
            let rules = Arc::clone(&proxy);
            builder = builder.proxy(reqwest::Proxy::custom(move |url| {
                rules.proxy_for(url).map(|chosen| chosen.url.clone())
            }));
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot set up HTTPS: {}", describe(e))))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                auth: config.auth,
                timeout: config.timeout,
                retry: config.retry,
                token_refresh_margin: config.token_refresh_margin,
                answer_limit: config.answer_limit,
                proxy,
                token: Mutex::new(TokenSlot {
                    current: None,
                    generation: 0,
                }),
                stop: std::sync::Mutex::new(CancellationToken::new()),
                hold_until: std::sync::Mutex::new(None),
                snapshots: Snapshots::default(),
                batches: Batches::default(),
            }),
        })
    }

    /// Makes every request that is waiting to retry give up now with [`Error::Cancelled`]; a
    /// request already on the wire is left to finish (abandoning a create mid-flight could leave
    /// a connection Terraform never learns about). Requests started afterwards run normally.
    pub fn stop_waiting(&self) {
        if let Ok(mut stop) = self.inner.stop.lock() {
            stop.cancel();
            *stop = CancellationToken::new();
        }
    }

    /// Waits as the retry policy would before attempt `attempt + 1` of an operation repeated
    /// above the client: a create whose failure was confirmed not to have created anything.
    /// `false`, at once, when the policy allows no further attempt; `false` as well when `stop`
    /// (taken when the operation began) stops the wait, or had already.
    pub(super) async fn wait_to_retry(&self, attempt: u32, stop: &StopSignal) -> bool {
        let policy = &self.inner.retry;
        if attempt >= policy.max_attempts.max(1) {
            return false;
        }
        stop.sleep(policy.backoff(attempt)).await
    }

    /// A [`StopSignal`] from now on: take it when an operation starts, before its first request,
    /// and the operation's waits end when [`Client::stop_waiting`] is called at any time after.
    pub fn stop_signal(&self) -> StopSignal {
        StopSignal(self.stop_token())
    }

    /// The token that [`Client::stop_waiting`] cancels.
    fn stop_token(&self) -> CancellationToken {
        self.inner
            .stop
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// The listings that batched reads are answered from.
    pub(super) fn snapshots(&self) -> &Snapshots {
        &self.inner.snapshots
    }

    pub(super) fn batches(&self) -> &Batches {
        &self.inner.batches
    }

    /// How long retries may go on (the provider's `retry_timeout`): also the bound on waiting
    /// for a queued job.
    pub fn retry_limit(&self) -> Duration {
        self.inner.retry.max_elapsed
    }

    /// The normalized host every path is appended to.
    pub fn host(&self) -> &Url {
        &self.inner.base
    }

    /// Obtains an access token now (logging in if the method does), to check credentials early.
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.token().await.map(|_| ())
    }

    /// The one request function: sends an authenticated request built from path segments (each
    /// percent-encoded), query pairs and an optional JSON body, and decodes the JSON answer.
    #[instrument(level = "debug", skip_all, fields(method = %method))]
    pub(crate) async fn request<R: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<R, Error> {
        let repeat = if method == Method::POST {
            Repeat::Unsafe
        } else {
            Repeat::Safe
        };
        self.request_as(method, segments, query, body, repeat).await
    }

    /// [`Client::request`] for a request whose repeat-safety is not its method's: a read sent as
    /// POST, a DELETE that queues a job.
    pub(crate) async fn request_as<R: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
        repeat: Repeat,
    ) -> Result<R, Error> {
        let call = self.call(method, segments, query, body, repeat, false)?;
        let answer = self.send_authenticated(&call).await?;
        decode(&call, &answer)
    }

    fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
        repeat: Repeat,
        secret_answer: bool,
    ) -> Result<Call, Error> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Internal("the host URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(Call {
            path: url.path().to_owned(),
            method,
            url,
            body,
            repeat,
            secret_answer,
        })
    }

    /// Sends with the shared token; when the token is refused (401, or 403 `TokenError`), logs
    /// in again once and sends once more.
    async fn send_authenticated(&self, call: &Call) -> Result<Answer, Error> {
        let (token, generation) = self.token().await?;
        match self.send(call, Some(&token)).await {
            Err(error) if error.is_token_rejected() && self.inner.auth.can_log_in() => {
                debug!(method = %call.method, path = %call.path, status = ?error.status(),
                    "infisical refused the access token; logging in again");
                let token = self.replace_token(generation).await?;
                self.send(call, Some(&token)).await
            }
            other => other,
        }
    }

    /// The token to use: the cached one, or a renewed or fresh one when it is missing or about
    /// to expire. The lock is held while logging in, so concurrent callers wait for one login.
    async fn token(&self) -> Result<(Secret, u64), Error> {
        let mut slot = self.inner.token.lock().await;
        if let Some(token) = &slot.current
            && !token.needs_refresh(Instant::now(), self.inner.token_refresh_margin)
        {
            return Ok((token.value.clone(), slot.generation));
        }
        let fresh = match &self.inner.auth {
            Auth::Token(value) => AccessToken::fixed(value.clone()),
            _ => match slot
                .current
                .as_ref()
                .filter(|t| t.can_renew(Instant::now()))
            {
                Some(current) => match self.renew(current).await {
                    Ok(renewed) => renewed,
                    Err(error) => {
                        debug!(error = %error, "renewing the access token failed; logging in");
                        self.login().await?
                    }
                },
                None => self.login().await?,
            },
        };
        slot.generation += 1;
        let value = fresh.value.clone();
        slot.current = Some(fresh);
        Ok((value, slot.generation))
    }

    /// Replaces a refused token, unless a concurrent request has replaced it already.
    async fn replace_token(&self, refused: u64) -> Result<Secret, Error> {
        let mut slot = self.inner.token.lock().await;
        if slot.generation != refused
            && let Some(current) = &slot.current
        {
            return Ok(current.value.clone());
        }
        // A refused token cannot be renewed: log in.
        let fresh = self.login().await?;
        slot.generation += 1;
        let value = fresh.value.clone();
        slot.current = Some(fresh);
        Ok(value)
    }

    /// Logs in; a failure names the method and the host.
    #[instrument(level = "debug", skip_all, fields(method = self.inner.auth.method().name()))]
    async fn login(&self) -> Result<AccessToken, Error> {
        self.try_login().await.map_err(|source| Error::Login {
            method: self.inner.auth.method().name(),
            host: self.inner.base.as_str().trim_end_matches('/').to_owned(),
            source: Box::new(source),
        })
    }

    async fn try_login(&self) -> Result<AccessToken, Error> {
        let login = self.inner.auth.login_call().await?.ok_or_else(|| {
            Error::Internal("login called for an auth method without one".to_owned())
        })?;
        let call = self.call(
            Method::POST,
            login.segments,
            &[],
            Some(login.body),
            Repeat::Safe,
            true,
        )?;
        let issued_at = Instant::now();
        let answer = self.send(&call, None).await?;
        let token = AccessToken::issued(decode::<TokenResponse>(&call, &answer)?, issued_at);
        debug!(path = %call.path, "logged in to infisical");
        Ok(token)
    }

    #[instrument(level = "debug", skip_all)]
    async fn renew(&self, current: &AccessToken) -> Result<AccessToken, Error> {
        let body = encode(&RenewRequest {
            access_token: &current.value,
        })?;
        let segments = ["api", "v1", "auth", "token", "renew"];
        let call = self.call(Method::POST, &segments, &[], Some(body), Repeat::Safe, true)?;
        let issued_at = Instant::now();
        let answer = self.send(&call, None).await?;
        let token = AccessToken::issued(decode::<TokenResponse>(&call, &answer)?, issued_at);
        debug!("renewed the infisical access token");
        Ok(token)
    }

    /// Sends with retries, as the [`RetryPolicy`] allows.
    async fn send(&self, call: &Call, token: Option<&Secret>) -> Result<Answer, Error> {
        let policy = &self.inner.retry;
        let stop = self.stop_token();
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            if !self.hold_off(&stop).await {
                debug!(method = %call.method, path = %call.path, "stopped waiting for the rate limit");
                return Err(Error::Cancelled {
                    method: call.method.clone(),
                    path: call.path.clone(),
                });
            }
            let failure = match self.attempt(call, token, attempt).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            let (error, retry, server_wait) = self.judge(call, failure);
            if !retry || attempt >= policy.max_attempts.max(1) {
                return Err(tally(error, attempt, started.elapsed()));
            }
            let wait = server_wait.unwrap_or_else(|| policy.backoff(attempt));
            if matches!(error, Error::RateLimited { .. }) {
                self.hold_all(wait);
            }
            if started.elapsed() + wait > policy.max_elapsed {
                debug!(method = %call.method, path = %call.path, attempt, wait_ms = millis(wait),
                    "not retrying: the wait would exceed the retry time limit");
                return Err(tally(error, attempt, started.elapsed()));
            }
            debug!(method = %call.method, path = %call.path, attempt, wait_ms = millis(wait),
                error = %error, "retrying infisical request");
            if !sleep_unless_stopped(&stop, wait).await {
                debug!(method = %call.method, path = %call.path, "stopped waiting to retry");
                return Err(Error::Cancelled {
                    method: call.method.clone(),
                    path: call.path.clone(),
                });
            }
            attempt += 1;
        }
    }

    /// Makes every request of this client wait `wait` from now before it is sent (or retried),
    /// unless an earlier 429 already holds them longer.
    fn hold_all(&self, wait: Duration) {
        let until = Instant::now() + wait;
        if let Ok(mut hold) = self.inner.hold_until.lock()
            && hold.is_none_or(|current| current < until)
        {
            *hold = Some(until);
        }
    }

    /// Waits out a hold set by [`Client::hold_all`]; `false` when `stop` ends the wait first.
    async fn hold_off(&self, stop: &CancellationToken) -> bool {
        loop {
            let until = self.inner.hold_until.lock().ok().and_then(|hold| *hold);
            let Some(until) = until.filter(|until| *until > Instant::now()) else {
                return true;
            };
            if !sleep_unless_stopped(stop, until.saturating_duration_since(Instant::now())).await {
                return false;
            }
        }
    }

    /// Turns a failed attempt into the error to report, whether to retry, and the server's
    /// requested wait.
    fn judge(&self, call: &Call, failure: Failure) -> (Error, bool, Option<Duration>) {
        let method = call.method.clone();
        let path = call.path.clone();
        let safe = call.repeat == Repeat::Safe;
        match failure {
            Failure::Status { api, retry_after } => match api.status.as_u16() {
                // The rate limiter answers before the request does anything: always retry.
                429 => (Error::from_api(*api, retry_after), true, retry_after),
                // A gateway's 5xx says nothing about whether Infisical acted on a create.
                502..=504 if !safe => {
                    let cause = format!(
                        "answered {} {}{}",
                        api.status.as_u16(),
                        api.status.canonical_reason().unwrap_or_default(),
                        api.request_id
                            .as_ref()
                            .map(|id| format!(", request id {id}"))
                            .unwrap_or_default()
                    );
                    (
                        Error::Ambiguous {
                            method,
                            path,
                            cause,
                        },
                        false,
                        None,
                    )
                }
                502..=504 => (Error::from_api(*api, retry_after), true, retry_after),
                // A repeatable request may also meet a passing internal error; a create is not
                // repeated on one, as it may have done something.
                500 if safe => (Error::from_api(*api, retry_after), true, retry_after),
                _ => (Error::from_api(*api, retry_after), false, None),
            },
            // A wrong certificate, protocol or name stays wrong: only the rest is retried.
            Failure::NotSent(cause, problem) => (
                Error::Transport {
                    method,
                    path,
                    cause,
                    problem,
                },
                !problem.is_permanent(),
                None,
            ),
            Failure::Sent(cause) if safe => (
                Error::Transport {
                    method,
                    path,
                    cause,
                    problem: NetworkProblem::Other,
                },
                true,
                None,
            ),
            Failure::Sent(cause) => {
                let cause = format!("the connection failed after the request was sent: {cause}");
                (
                    Error::Ambiguous {
                        method,
                        path,
                        cause,
                    },
                    false,
                    None,
                )
            }
            Failure::TimedOut { sent } if safe || !sent => {
                let timeout = self.inner.timeout;
                (
                    Error::Timeout {
                        method,
                        path,
                        timeout,
                        attempts: 1,
                        elapsed: timeout,
                    },
                    true,
                    None,
                )
            }
            Failure::TimedOut { .. } => {
                let cause = format!("no answer within {}s", self.inner.timeout.as_secs_f64());
                (
                    Error::Ambiguous {
                        method,
                        path,
                        cause,
                    },
                    false,
                    None,
                )
            }
            Failure::Fatal(error) => (error, false, None),
        }
    }

    /// One attempt, logged at debug level: method, path, status, request id, duration, attempt.
    async fn attempt(
        &self,
        call: &Call,
        token: Option<&Secret>,
        attempt: u32,
    ) -> Result<Answer, Failure> {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone())
            .timeout(self.inner.timeout)
            .header(ACCEPT, "application/json");
        if let Some(token) = token {
            // Exactly `Bearer <token>`: Infisical drops the first seven characters unread.
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Failure::Fatal(Error::Config(
                    "the access token contains characters that cannot be sent in an HTTP header".to_owned(),
                ))
            })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let started = Instant::now();
        let limit = self.inner.answer_limit;
        let outcome = async {
            let mut response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let announced = response
                .content_length()
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            if announced.is_some_and(|n| n > limit) {
                return Ok(Read::TooLarge);
            }
            // Chunk by chunk, so that an endless answer costs no more than the limit.
            let mut body = Vec::with_capacity(announced.unwrap_or(0));
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limit {
                    return Ok(Read::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Read::Whole(status, headers, body))
        }
        .await;
        let duration_ms = millis(started.elapsed());
        match outcome {
            Ok(Read::Whole(status, headers, body)) => {
                self.answer(call, attempt, duration_ms, status, &headers, body)
            }
            Ok(Read::TooLarge) => {
                debug!(method = %call.method, path = %call.path, duration_ms, attempt, limit,
                    "infisical's answer is larger than the limit");
                let error = Error::TooLarge {
                    method: call.method.clone(),
                    path: call.path.clone(),
                    limit,
                };
                Err(Failure::Fatal(match call.repeat {
                    Repeat::Safe => error,
                    // A create was answered, so it may have happened: say so, so that the
                    // caller looks it up instead of creating it again.
                    Repeat::Unsafe => Error::Ambiguous {
                        method: call.method.clone(),
                        path: call.path.clone(),
                        cause: error.to_string(),
                    },
                }))
            }
            Err(error) => {
                let failure = if error.is_timeout() {
                    Failure::TimedOut {
                        sent: !error.is_connect(),
                    }
                } else if error.is_connect() {
                    let problem = classify(&error);
                    let cause = describe(error);
                    let proxy = self.inner.proxy.proxy_for(&call.url);
                    match proxy {
                        // Without a tunnel (an http:// host) the only connection is the
                        // proxy's; with one, a failure inside the tunnel's set-up is too.
                        // After it, the failure is the host's (its certificate, say).
                        Some(proxy)
                            if call.url.scheme() == "http" || cause.contains("tunnel error") =>
                        {
                            let (cause, problem) = proxy::explain_failure(
                                proxy,
                                &call.url,
                                cause,
                                problem,
                                self.inner.timeout,
                            )
                            .await;
                            Failure::NotSent(cause, problem)
                        }
                        _ => Failure::NotSent(cause, problem),
                    }
                } else {
                    Failure::Sent(describe(error))
                };
                let cause = match &failure {
                    Failure::NotSent(cause, _) | Failure::Sent(cause) => cause.as_str(),
                    _ => "timed out",
                };
                debug!(method = %call.method, path = %call.path, duration_ms, attempt, error = cause,
                    "infisical request failed");
                Err(failure)
            }
        }
    }

    fn answer(
        &self,
        call: &Call,
        attempt: u32,
        duration_ms: u64,
        status: StatusCode,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Result<Answer, Failure> {
        if status.is_success() {
            // Infisical only puts its request id in error bodies.
            debug!(method = %call.method, path = %call.path, status = status.as_u16(), req_id = "-",
                duration_ms, attempt, "infisical request");
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Ok(Answer {
                status,
                content_type,
                body,
            });
        }
        let api = ApiError::from_response(call.method.clone(), call.path.clone(), status, &body);
        debug!(method = %call.method, path = %call.path, status = status.as_u16(),
            req_id = api.request_id.as_deref().unwrap_or("-"), duration_ms, attempt, "infisical request");
        Err(Failure::Status {
            api: Box::new(api),
            retry_after: retry::retry_after(headers),
        })
    }
}

/// Serializes a request body.
pub(crate) fn encode(body: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::Internal(format!("cannot encode a request: {e}")))
}

fn decode<R: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<R, Error> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        let json = answer
            .content_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
        let cause = if !json {
            // Not Infisical's JSON at all (a web server's page, a captive portal): say what it
            // is. Such a page carries no token, so a short, folded piece of it may be shown.
            let kind = answer.content_type.as_deref().unwrap_or("no content type");
            format!("the answer is {kind}, not JSON: {}", snippet(&answer.body))
        } else if call.secret_answer {
            // serde quotes offending values; an answer carrying a token must not be quoted.
            format!("unexpected JSON at line {} column {}", e.line(), e.column())
        } else {
            e.to_string()
        };
        Error::Decode {
            method: call.method.clone(),
            path: call.path.clone(),
            status: answer.status,
            json,
            cause,
        }
    })
}

/// How much of a page an error quotes.
const SNIPPET_CHARS: usize = 80;

/// A short view of a body that is not JSON: an HTML page's title, else its first characters,
/// whitespace folded and control characters dropped, quoted.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|open| {
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find("</title")?;
        Some(&text[start..end])
    });
    let shown = title.unwrap_or(&text);
    let folded: String = shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if folded.is_empty() {
        return "an empty body".to_owned();
    }
    let cut: String = folded.chars().take(SNIPPET_CHARS).collect();
    let more = if cut.len() < folded.len() { "…" } else { "" };
    match title {
        Some(_) => format!("a page titled \"{cut}{more}\""),
        None => format!("\"{cut}{more}\""),
    }
}

/// A reqwest error as one line: its chain of causes, without the URL (the caller names the
/// request by method and path).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The final error of a request given up after `attempts` attempts over `elapsed`: a timeout
/// states the real totals.
fn tally(error: Error, attempts: u32, elapsed: Duration) -> Error {
    match error {
        Error::Timeout {
            method,
            path,
            timeout,
            ..
        } => Error::Timeout {
            method,
            path,
            timeout,
            attempts,
            elapsed,
        },
        other => other,
    }
}

/// What kind of network problem a failed connection had, from the causes reqwest chains (TLS
/// errors sit inside `std::io::Error`s, whose `source` skips them, so those are opened).
fn classify(error: &reqwest::Error) -> NetworkProblem {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut text = String::new();
    while let Some(cause) = next {
        let inner = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        for candidate in [Some(cause), inner].into_iter().flatten() {
            if let Some(tls) = candidate.downcast_ref::<rustls::Error>() {
                return match tls {
                    rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                        NetworkProblem::UntrustedCertificate
                    }
                    rustls::Error::InvalidCertificate(_) => NetworkProblem::BadCertificate,
                    rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
                        NetworkProblem::NotTls
                    }
                    _ => NetworkProblem::Tls,
                };
            }
        }
        text.push_str(&cause.to_string());
        text.push('\n');
        next = inner.or_else(|| cause.source());
    }
    // getaddrinfo's words for "no such name" (glibc, musl, BSD); not "temporary failure".
    if [
        "Name or service not known",
        "No address associated with hostname",
        "nodename nor servname provided",
        "Name does not resolve",
    ]
    .iter()
    .any(|words| text.contains(words))
    {
        return NetworkProblem::UnknownName;
    }
    NetworkProblem::Other
}

/// [`Client::stop_waiting`] as seen by one operation: once stopped, it stays stopped, so a stop
/// that comes while the operation's request is on the wire still ends the wait that follows.
#[derive(Debug, Clone)]
pub struct StopSignal(CancellationToken);

impl StopSignal {
    /// Sleeps `wait`; `false`, as soon as it happens, when the stop comes first (or came before).
    pub(super) async fn sleep(&self, wait: Duration) -> bool {
        sleep_unless_stopped(&self.0, wait).await
    }
}

/// Sleeps `wait`; `false`, as soon as it happens, when `stop` is cancelled first.
async fn sleep_unless_stopped(stop: &CancellationToken, wait: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = stop.cancelled() => false,
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Checks the host and strips what users commonly add: a trailing slash, a trailing `/api` or
/// `/api/v1` (the paths are built from `/api/v1/…`).
pub fn normalize_host(mut host: Url) -> Result<Url, Error> {
    if !matches!(host.scheme(), "http" | "https") || host.cannot_be_a_base() {
        return Err(Error::Config(format!(
            "the host must be an http or https URL, not {host}"
        )));
    }
    let path = host.path().trim_end_matches('/');
    let path = path.strip_suffix("/api/v1").unwrap_or(path);
    let path = path.strip_suffix("/api").unwrap_or(path).to_owned();
    host.set_path(&path);
    host.set_query(None);
    host.set_fragment(None);
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(host: &str) -> String {
        normalize_host(Url::parse(host).unwrap())
            .unwrap()
            .to_string()
    }

    #[test]
    fn hosts_tolerate_a_trailing_slash_and_api() {
        assert_eq!(
            normalized("https://app.infisical.com"),
            "https://app.infisical.com/"
        );
        assert_eq!(
            normalized("https://app.infisical.com/"),
            "https://app.infisical.com/"
        );
        assert_eq!(
            normalized("https://app.infisical.com/api"),
            "https://app.infisical.com/"
        );
        assert_eq!(
            normalized("https://app.infisical.com/api/"),
            "https://app.infisical.com/"
        );
        assert_eq!(
            normalized("https://example.com/infisical/api/"),
            "https://example.com/infisical"
        );
        // Issue 17: `/api/v1` produced `/api/v1/api/v1/…`.
        assert_eq!(
            normalized("https://example.com/infisical/api/v1/"),
            "https://example.com/infisical"
        );
        assert_eq!(
            normalized("https://app.infisical.com/api/v1"),
            "https://app.infisical.com/"
        );
        assert!(normalize_host(Url::parse("ftp://example.com").unwrap()).is_err());
    }

    #[test]
    fn paths_are_built_from_encoded_segments() {
        for host in [
            "https://example.com/infisical/api/",
            "https://example.com/infisical",
        ] {
            let config = ClientConfig::new(Url::parse(host).unwrap(), Auth::token("t"));
            let client = Client::new(config).unwrap();
            let call = client
                .call(
                    Method::GET,
                    &["api", "v1", "x", "a b/c"],
                    &[("projectId", "p 1")],
                    None,
                    Repeat::Safe,
                    false,
                )
                .unwrap();
            assert_eq!(
                call.url.as_str(),
                "https://example.com/infisical/api/v1/x/a%20b%2Fc?projectId=p+1"
            );
            assert_eq!(call.path, "/infisical/api/v1/x/a%20b%2Fc");
        }
    }
}
