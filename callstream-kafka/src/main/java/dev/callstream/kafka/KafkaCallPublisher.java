package dev.callstream.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.kafka.internal.ModelJson;
import dev.callstream.kafka.internal.PublisherMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every call's events to a Kafka topic in the format of CONTRACTS.md section 7 (see
 * {@code docs/KAFKA.md}): a {@link CallStreamListener.Factory} to combine with a recorder or any
 * other listener through {@link CallStreamListener.Factory#all}.
 *
 * <pre>{@code
 * try (KafkaCallPublisher kafka = KafkaCallPublisher.builder("broker:9092").topic("calls").start()) {
 *   CallRecorder recorder = CallRecorder.builder(dir).callJsonExtras(kafka.callJsonExtras()).build();
 *   server = CallStreamServer.builder().listener(CallStreamListener.Factory.all(recorder, kafka))...;
 * }
 * }</pre>
 *
 * <h2>Delivery</h2>
 * The producer is idempotent with {@code acks=all}, so a record is written once and in order per
 * call. Callbacks never block: each record goes to an in-memory queue bounded by
 * {@link Builder#maxBufferedBytes} that one sender thread hands to the producer. While the broker is
 * away the producer holds and retries records for {@link Builder#deliveryTimeout} (default 120 s,
 * so a 30 s outage loses nothing); once that time passes, or the queue is full, audio and gap
 * records are dropped and counted per call ({@link #dropped(CallSession)}, {@code kafkaDropped} in
 * {@code call.json} through {@link #callJsonExtras()}), in total ({@link #dropped()} and the
 * metric {@code callstream_kafka_dropped_total}, see {@link Builder#meterRegistry}), and logged with
 * the call id. Call-start, stop and call-end records are never dropped for a full queue (they
 * are few and small). The call itself and other listeners go on unharmed.
 *
 * <h2>Threading</h2>
 * Thread-safe; one listener per call as usual. {@link #close()} flushes what is queued (bounded by
 * {@link Builder#closeTimeout}) and closes the producer.
 */
public final class KafkaCallPublisher implements CallStreamListener.Factory, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCallPublisher.class);
  private static final Item POISON = new Item(null, null, 0, false);

  private final String topic;
  private final long maxBufferedBytes;
  private final Duration closeTimeout;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ObjectMapper mapper = new ObjectMapper();
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final Map<CallSession, CallCounter> calls = new ConcurrentHashMap<>();
  private final Thread sender;
  private volatile boolean closed;

  private KafkaCallPublisher(Builder b) {
    this.topic = b.topic;
    this.maxBufferedBytes = b.maxBufferedBytes;
    this.closeTimeout = b.closeTimeout;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) b.deliveryTimeout.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, b.deliveryTimeout.toMillis() / 2));
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "callstream-publisher");
    props.putAll(b.overrides);
    checkTopic(b.bootstrap, b.topic, b.overrides);
    this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.sender = new Thread(this::sendLoop, "callstream-kafka-publisher");
    sender.setDaemon(true);
    sender.start();
    if (b.meterRegistry != null) {
      PublisherMetrics.register(b.meterRegistry, topic, dropped, published, bufferedBytes);
    }
  }

  /** A builder for a publisher to the cluster at {@code bootstrap} ({@code host:port[,host:port...]}). */
  public static Builder builder(String bootstrap) {
    return new Builder(bootstrap);
  }

  /** The topic records go to. */
  public String topic() {
    return topic;
  }

  /** Records dropped so far, all calls together (queue full, delivery timed out, too large). */
  public long dropped() {
    return dropped.get();
  }

  /** Records the broker acknowledged so far. */
  public long published() {
    return published.get();
  }

  /** Records of this call dropped so far (0 for a call this publisher does not know or no longer tracks). */
  public long dropped(CallSession session) {
    CallCounter counter = calls.get(session);
    return counter == null ? 0 : counter.dropped.get();
  }

  /**
   * For {@link CallRecorder.Builder#callJsonExtras}: adds {@code "kafkaDropped": n} (records of
   * that call dropped when {@code call.json} is written; later drops are logged and counted in
   * {@link #dropped()} only).
   */
  public Function<CallSession, Map<String, Object>> callJsonExtras() {
    return session -> Map.of("kafkaDropped", dropped(session));
  }

  /**
   * Waits until every record queued so far was acknowledged or dropped.
   *
   * @return true when done within the timeout
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!queue.isEmpty() || inFlight.get() > 0) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      producer.flush();
      if (!queue.isEmpty() || inFlight.get() > 0) {
        TimeUnit.MILLISECONDS.sleep(5); // polling a counter the producer's callbacks lower
      }
    }
    return true;
  }

  @Override
  public CallStreamListener create(CallInfo info) {
    if (closed) {
      throw new IllegalStateException("publisher closed");
    }
    return new CallPublisher();
  }

  /** Flushes what is queued (up to the close timeout) and closes the producer. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(POISON);
    try {
      sender.join(closeTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(closeTimeout);
    if (dropped.get() > 0) {
      LOG.warn("kafka publisher closed: {} records dropped in total", dropped.get());
    }
  }

  // ------------------------------------------------------------------ internals

  private static void checkTopic(String bootstrap, String topic, Map<String, Object> overrides) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    for (Map.Entry<String, Object> e : overrides.entrySet()) {
      if (AdminClientConfig.configNames().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new KafkaCallException("Kafka topic " + topic + " does not exist at " + bootstrap
            + " (create it with as many partitions as you want parallel consumers)", e.getCause());
      }
      throw new KafkaCallException("cannot reach Kafka at " + bootstrap + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaCallException("cannot reach Kafka at " + bootstrap + " within 20 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaCallException("interrupted while checking Kafka topic " + topic, e);
    }
  }

  private void enqueue(CallCounter counter, ProducerRecord<byte[], byte[]> record, boolean droppable) {
    int size = record.value() == null ? 0 : record.value().length;
    size += 64;
    if (closed) {
      drop(counter, "publisher closed", null);
      return;
    }
    if (droppable && bufferedBytes.get() + size > maxBufferedBytes) {
      drop(counter, "the publisher's buffer is full (" + maxBufferedBytes + " bytes): Kafka is away or too slow", null);
      return;
    }
    bufferedBytes.addAndGet(size);
    counter.pending.incrementAndGet();
    queue.add(new Item(counter, record, size, droppable));
  }

  private void sendLoop() {
    while (true) {
      Item item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (item == POISON) {
        return;
      }
      bufferedBytes.addAndGet(-item.size);
      inFlight.incrementAndGet();
      CallCounter counter = item.counter;
      try {
        producer.send(item.record, (metadata, error) -> {
          if (error == null) {
            published.incrementAndGet();
          } else {
            drop(counter, error.getClass().getSimpleName() + ": " + error.getMessage(), error);
          }
          inFlight.decrementAndGet();
          counter.done(this);
        });
      } catch (RuntimeException e) {
        // metadata not available within max.block.ms, record too large for the producer, closed...
        drop(counter, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        inFlight.decrementAndGet();
        counter.done(this);
      }
    }
  }

  private void drop(CallCounter counter, String why, Throwable error) {
    dropped.incrementAndGet();
    long n = counter.dropped.incrementAndGet();
    if (n == 1) {
      LOG.warn("call {}: Kafka record dropped ({}); further drops of this call are counted (kafkaDropped)",
          counter.key, why);
    } else {
      LOG.debug("call {}: Kafka record dropped ({})", counter.key, why, error);
    }
  }

  private record Item(CallCounter counter, ProducerRecord<byte[], byte[]> record, int size, boolean droppable) {}

  /** One call's drop counter; tracked until the call ended and its last record was settled. */
  private static final class CallCounter {
    final AtomicLong dropped = new AtomicLong();
    final AtomicInteger pending = new AtomicInteger();
    volatile boolean ended;
    volatile String key = "?";
    CallSession session;

    void done(KafkaCallPublisher publisher) {
      if (pending.decrementAndGet() == 0 && ended && session != null) {
        publisher.calls.remove(session, this);
        if (dropped.get() > 0) {
          LOG.warn("call {}: {} Kafka records dropped", key, dropped.get());
        }
      }
    }
  }

  /** One call's publishing listener: runs on the call's thread, never blocks. */
  private final class CallPublisher implements CallStreamListener {
    private final CallCounter counter = new CallCounter();
    private byte[] key;
    private boolean startPublished;
    private final Set<String> stopped = new HashSet<>();
    private final Map<String, List<SegmentInfo>> infos = new HashMap<>();
    private Map<String, Object> lastStop;

    private void track(CallSession session) {
      if (counter.session == null) {
        counter.session = session;
        calls.put(session, counter);
      }
    }

    /** Publishes call-start once, with the segments started so far; later segments get segment-start. */
    private void ensureStart(CallSession session) {
      track(session);
      if (startPublished) {
        return;
      }
      startPublished = true;
      String callKey = session.callId() + "-" + session.sessionId();
      counter.key = dev.callstream.core.internal.LogSafe.id(callKey);
      key = callKey.getBytes(StandardCharsets.UTF_8);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("callId", session.callId());
      json.put("sessionId", session.sessionId());
      json.put("transport", session.transport().label());
      json.put("info", ModelJson.info(session.info()));
      json.put("metadata", ModelJson.metadata(session.metadata()));
      json.put("wire", ModelJson.masked(session.wireDetails()));
      List<Object> segments = new ArrayList<>();
      for (Segment segment : session.segments()) {
        segments.add(ModelJson.segment(segment));
      }
      json.put("segments", segments);
      send(KafkaWire.CALL_START, json(json), null, false);
    }

    private void send(String type, byte[] value, RecordHeaders headers, boolean droppable) {
      RecordHeaders h = headers == null ? new RecordHeaders() : headers;
      h.add(KafkaWire.EVENT_HEADER, ascii(type));
      enqueue(counter, new ProducerRecord<>(topic, null, key, value, h), droppable);
    }

    private byte[] json(Object value) {
      try {
        return mapper.writeValueAsBytes(value);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("not JSON-serializable", e);
      }
    }

    @Override
    public void onStart(CallSession session) {
      track(session);
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      track(session);
      if (startPublished) {
        Map<String, Object> json = ModelJson.segment(segment);
        RecordHeaders h = new RecordHeaders();
        h.add(KafkaWire.SEGMENT, utf8(segment.id()));
        send(KafkaWire.SEGMENT_START, json(json), h, false);
      }
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      ensureStart(session);
      RecordHeaders h = new RecordHeaders();
      h.add(KafkaWire.CHANNEL, ascii(frame.channel().label()));
      h.add(KafkaWire.POSITION, ascii(Long.toString(frame.position())));
      h.add(KafkaWire.CODEC, ascii(frame.format().encoding().codec()));
      h.add(KafkaWire.SEGMENT, utf8(frame.segment().id()));
      h.add(KafkaWire.SEQUENCE, ascii(Long.toString(frame.sequence())));
      // copied: the record is sent later, from another thread
      send(KafkaWire.AUDIO, frame.payload().clone(), h, true);
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      ensureStart(session);
      RecordHeaders h = new RecordHeaders();
      h.add(KafkaWire.CHANNEL, ascii(gap.channel().label()));
      h.add(KafkaWire.POSITION, ascii(Long.toString(gap.fromPosition())));
      h.add(KafkaWire.COUNT, ascii(Integer.toString(gap.frameCount())));
      h.add(KafkaWire.SEGMENT, utf8(gap.segment().id()));
      send(KafkaWire.GAP, new byte[0], h, true);
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      ensureStart(session);
      infos.computeIfAbsent(segment.id(), id -> new ArrayList<>()).add(info);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("segment", segment.id());
      json.put("event", info.event());
      json.put("data", info.data());
      RecordHeaders h = new RecordHeaders();
      h.add(KafkaWire.SEGMENT, utf8(segment.id()));
      send(KafkaWire.SEGMENT_INFO, json(json), h, false);
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      // the raw Stop / SegmentStop travels in the stop record that follows it
      String name = event.name();
      if ("Stop".equals(name) || "segment_stop".equalsIgnoreCase(name) || "SegmentStop".equals(name)) {
        lastStop = event.fields();
      }
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      ensureStart(session);
      stopped.add(segment.id());
      Map<String, Object> json = new LinkedHashMap<>();
      if (lastStop != null) {
        Object masked = ModelJson.masked(lastStop);
        if (masked instanceof Map<?, ?> m) {
          m.forEach((k, v) -> json.put(String.valueOf(k), v));
        }
      }
      json.put("segment", segment.id());
      json.put("channel", segment.channel().label());
      RecordHeaders h = new RecordHeaders();
      h.add(KafkaWire.SEGMENT, utf8(segment.id()));
      h.add(KafkaWire.CHANNEL, ascii(segment.channel().label()));
      send(KafkaWire.STOP, json(json), h, false);
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      if (!startPublished && session.metadata() == null) {
        // nothing happened on this call: nothing to publish (as the recorder leaves nothing)
        counter.ended = true;
        calls.remove(session, counter);
        return;
      }
      ensureStart(session);
      Map<String, Object> json = CallRecorder.callJson(session, reason, complete(session, reason), infos);
      json.put("kafkaDropped", counter.dropped.get());
      counter.ended = true;
      send(KafkaWire.CALL_END, json(json), null, false);
    }

    private boolean complete(CallSession session, EndReason reason) {
      if (session.segments().isEmpty()) {
        return false;
      }
      for (Segment segment : session.segments()) {
        if (!stopped.contains(segment.id())) {
          return false;
        }
      }
      return session.transport() == Transport.WSS || reason == EndReason.STOPPED;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Configures a {@link KafkaCallPublisher}. */
  public static final class Builder {
    private final String bootstrap;
    private String topic = KafkaWire.DEFAULT_TOPIC;
    private long maxBufferedBytes = 16L << 20;
    private Duration deliveryTimeout = Duration.ofSeconds(120);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private Object meterRegistry;

    private Builder(String bootstrap) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    }

    /** The topic; default {@value KafkaWire#DEFAULT_TOPIC}. It must exist. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** Bytes of audio and gap records queued before the producer takes them; beyond, they are dropped. Default 16 MiB. */
    public Builder maxBufferedBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBufferedBytes < 1");
      }
      this.maxBufferedBytes = bytes;
      return this;
    }

    /** How long the producer retries a record while the broker is away; default 120 s (at least 30 s). */
    public Builder deliveryTimeout(Duration timeout) {
      if (timeout.toMillis() < 1000) {
        throw new IllegalArgumentException("deliveryTimeout below 1 s");
      }
      this.deliveryTimeout = timeout;
      return this;
    }

    /** How long {@link #close()} waits for queued records; default 30 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Publishes the publisher's counters on {@code registry}, tagged {@code topic}:
     * {@code callstream_kafka_dropped_total} (records dropped, as {@link KafkaCallPublisher#dropped()}),
     * {@code callstream_kafka_published_total} (records acknowledged) and
     * {@code callstream_kafka_buffered_bytes} (queued for the producer). Micrometer is an optional
     * dependency: without this call its classes are never loaded.
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Any Kafka producer setting (security, compression...); idempotence and acks=all stay unless overridden. */
    public Builder producerProperty(String name, Object value) {
      overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Checks that the topic exists and starts the publisher.
     *
     * @throws KafkaCallException when the topic does not exist or the cluster cannot be reached
     */
    public KafkaCallPublisher start() {
      return new KafkaCallPublisher(this);
    }
  }
}
