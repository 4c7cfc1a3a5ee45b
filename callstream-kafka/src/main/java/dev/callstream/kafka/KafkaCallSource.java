package dev.callstream.kafka;

import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.kafka.internal.ReplayCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a topic written by {@link KafkaCallPublisher} in a consumer group and drives any
 * {@link CallStreamListener.Factory} as a live server would: one listener per call, created at the
 * call's {@code call-start}, then {@code onStart}, {@code onSegmentStart}, per segment
 * {@code onAudio}/{@code onGap} in position order, {@code onSegmentInfo}, {@code onSegmentStop},
 * and exactly one {@code onEnd} with the live call's end reason. Transport events and errors of the
 * live call are not replayed.
 *
 * <h2>Exactly once per call, over at-least-once delivery</h2>
 * A call's records are contiguous in one partition but interleaved with other calls. Per partition
 * the source commits only up to the {@code call-start} of the oldest call still open (or past the
 * last record when none is open), and puts in the commit's metadata the start offsets of the calls
 * after it that already ended. After a crash, a restart or a rebalance, the partition is read again
 * from that offset: calls that ended are skipped, calls that were open are driven again from their
 * {@code call-start} to a new listener, records of calls that began before it are ignored. Within a
 * call, a frame at or below the last position delivered is skipped and a missing position becomes
 * a gap, so each listener sees every slot exactly once. The source commits after each call's end
 * and after each batch; a listener whose effects must survive a crash between its {@code onEnd} and
 * that commit can skip calls it has finished through {@link Builder#skip} (the replay command does,
 * from its recordings). When more than about 300 ended calls wait behind one open call, commits of
 * that partition wait until it ends (a crash then replays those calls again).
 *
 * <p>When the source stops ({@link #close()}) or loses a partition, its open calls end with
 * {@link EndReason#SHUTDOWN} and a {@link CallAbandonedException} cause: the group replays them
 * from their start (here or on another consumer).
 *
 * <h2>Threading</h2>
 * {@link Builder#consumers(int)} threads, each with its own consumer in the group; a listener's
 * callbacks run on the thread that owns its call's partition (calls of one partition in order, calls
 * of different partitions concurrently). A slow listener slows its partitions only.
 */
public final class KafkaCallSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCallSource.class);
  /** Kafka's default offset.metadata.max.bytes is 4096. */
  private static final int MAX_METADATA_CHARS = 3_000;
  private static final String METADATA_PREFIX = "cs1:";

  private final Builder config;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicLong lastRecordNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong callsEnded = new AtomicLong();
  private volatile boolean running = true;
  /** Counted down once every consumer got its first assignment (possibly empty). */
  private final CountDownLatch joined;

  private KafkaCallSource(Builder b) {
    this.config = b;
    this.joined = new CountDownLatch(b.consumers);
    checkTopic(b);
    for (int i = 0; i < b.consumers; i++) {
      Worker worker = new Worker(i);
      workers.add(worker);
    }
    for (Worker worker : workers) {
      worker.thread.start();
    }
  }

  /** A builder for a source reading the cluster at {@code bootstrap} and driving {@code factory}. */
  public static Builder builder(String bootstrap, CallStreamListener.Factory factory) {
    return new Builder(bootstrap, factory);
  }

  /** The Kafka origin of a call this source drives, or null for a session of another transport. */
  public static CallOrigin origin(CallSession session) {
    return session instanceof ReplayCall call ? call.origin() : null;
  }

  /** Records read so far (all partitions). */
  public long records() {
    return records.get();
  }

  /** Calls that reached their onEnd from their call-end record. */
  public long callsEnded() {
    return callsEnded.get();
  }

  /**
   * Blocks until no record arrived for {@code idle}, counted from the last record, or from the moment
   * the consumers joined the group (the time a restarted consumer waits for the group to take back
   * the partitions of a crashed one does not count).
   *
   * @return false when interrupted or the source was closed first
   */
  public boolean awaitIdle(Duration idle) {
    while (running) {
      if (joined.getCount() > 0) {
        try {
          joined.await(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        continue;
      }
      long quietNanos = System.nanoTime() - lastRecordNanos.get();
      long left = idle.toNanos() - quietNanos;
      if (left <= 0) {
        return true;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /**
   * Stops consuming: open calls end with SHUTDOWN ({@link CallAbandonedException}), offsets are
   * committed as described above, the consumers leave the group. Idempotent.
   */
  @Override
  public void close() {
    running = false;
    for (Worker worker : workers) {
      worker.consumer.wakeup();
    }
    for (Worker worker : workers) {
      try {
        if (!worker.stopped.await(60, TimeUnit.SECONDS)) {
          LOG.warn("kafka source consumer {} did not stop within 60 s", worker.index);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void checkTopic(Builder b) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap);
    for (Map.Entry<String, Object> e : b.overrides.entrySet()) {
      if (AdminClientConfig.configNames().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      admin.describeTopics(List.of(b.topic)).allTopicNames().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new KafkaCallException("Kafka topic " + b.topic + " does not exist at " + b.bootstrap, e.getCause());
      }
      throw new KafkaCallException("cannot reach Kafka at " + b.bootstrap + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaCallException("cannot reach Kafka at " + b.bootstrap + " within 20 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaCallException("interrupted while checking Kafka topic " + b.topic, e);
    }
  }

  static String encodeDone(long base, NavigableSet<Long> done) {
    StringBuilder out = new StringBuilder(METADATA_PREFIX);
    boolean first = true;
    for (long offset : done.tailSet(base, true)) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(Long.toString(offset - base, 36));
    }
    return out.toString();
  }

  static NavigableSet<Long> decodeDone(long base, String metadata) {
    NavigableSet<Long> done = new TreeSet<>();
    if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
      return done;
    }
    String body = metadata.substring(METADATA_PREFIX.length());
    if (body.isEmpty()) {
      return done;
    }
    for (String part : body.split(",")) {
      try {
        done.add(base + Long.parseLong(part, 36));
      } catch (NumberFormatException e) {
        LOG.warn("unreadable committed metadata part ignored: {}", LogSafe.id(part));
      }
    }
    return done;
  }

  /** What one consumer knows of one of its partitions. */
  private final class PartitionState {
    final TopicPartition tp;
    /** Open calls by key, and by the offset of their call-start. */
    final Map<String, ReplayCall> open = new HashMap<>();
    final TreeMap<Long, ReplayCall> openByStart = new TreeMap<>();
    /** Keys whose records are skipped until their call-end (calls that ended before), to their start. */
    final Map<String, Long> skipping = new HashMap<>();
    /** Start offsets of calls that ended, at or after the commit point. */
    final NavigableSet<Long> done;
    long next = -1;
    OffsetAndMetadata committed;

    PartitionState(TopicPartition tp, OffsetAndMetadata committed) {
      this.tp = tp;
      this.committed = committed;
      this.done = committed == null ? new TreeSet<>() : decodeDone(committed.offset(), committed.metadata());
    }

    /** The commit this state allows, or null when it cannot be expressed (too many ended calls held). */
    OffsetAndMetadata commitPoint() {
      if (next < 0) {
        return null;
      }
      if (openByStart.isEmpty()) {
        done.headSet(next, false).clear();
        return new OffsetAndMetadata(next, encodeDone(next, done));
      }
      long base = openByStart.firstKey();
      done.headSet(base, false).clear();
      String metadata = encodeDone(base, done);
      if (metadata.length() > MAX_METADATA_CHARS) {
        return null;
      }
      return new OffsetAndMetadata(base, metadata);
    }
  }

  /** One consumer thread. */
  private final class Worker implements ConsumerRebalanceListener {
    final int index;
    final KafkaConsumer<byte[], byte[]> consumer;
    final Thread thread;
    final CountDownLatch stopped = new CountDownLatch(1);
    final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    boolean commitNow;
    boolean joinedOnce;

    Worker(int index) {
      this.index = index;
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, config.group);
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, "callstream-source-" + index);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.putAll(config.overrides);
      this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.thread = new Thread(this::run, "callstream-kafka-source-" + index);
      thread.setDaemon(true);
    }

    void run() {
      try {
        consumer.subscribe(List.of(config.topic), this);
        while (running) {
          ConsumerRecords<byte[], byte[]> batch;
          try {
            batch = consumer.poll(Duration.ofMillis(200));
          } catch (WakeupException e) {
            break;
          }
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            lastRecordNanos.set(System.nanoTime());
            records.incrementAndGet();
            handle(record);
            if (commitNow) {
              commit(false);
            }
          }
          if (!batch.isEmpty()) {
            lastRecordNanos.set(System.nanoTime());
            commit(false);
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        LOG.error("kafka source consumer {} failed; its open calls end and the group takes its partitions over",
            index, e);
      } finally {
        try {
          for (PartitionState state : partitions.values()) {
            abandon(state, "the source stopped");
          }
          commit(true);
        } catch (RuntimeException e) {
          LOG.warn("kafka source consumer {}: final commit failed: {}", index, e.toString());
        }
        try {
          consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
        } catch (RuntimeException e) {
          LOG.debug("closing kafka consumer {}", index, e);
        }
        stopped.countDown();
      }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      PartitionState state = partitions.get(tp);
      if (state == null) {
        return; // revoked meanwhile
      }
      if (state.next >= 0 && record.offset() < state.next) {
        return;
      }
      state.next = record.offset() + 1;
      String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
      Header typeHeader = record.headers().lastHeader(KafkaWire.EVENT_HEADER);
      String type = typeHeader == null ? "" : new String(typeHeader.value(), StandardCharsets.UTF_8);
      if (KafkaWire.CALL_START.equals(type)) {
        callStart(state, key, record);
        return;
      }
      ReplayCall call = state.open.get(key);
      if (call == null) {
        // a call that ended before (skipped) or began before this consumer's start point
        if (KafkaWire.CALL_END.equals(type)) {
          state.skipping.remove(key);
        }
        return;
      }
      call.handle(type, record.headers(), record.value());
      if (call.ended()) {
        if (KafkaWire.CALL_END.equals(type)) {
          callsEnded.incrementAndGet();
        }
        closeCall(state, key, call);
      }
    }

    private void callStart(PartitionState state, String key, ConsumerRecord<byte[], byte[]> record) {
      ReplayCall previous = state.open.get(key);
      if (previous != null) {
        // the publisher restarted mid-call and published the key again: the old call ends as a live one would
        previous.abandon(EndReason.CLOSED, null);
        closeCall(state, key, previous);
      }
      state.skipping.remove(key);
      CallOrigin origin = new CallOrigin(record.topic(), record.partition(), record.offset(), key);
      if (state.done.contains(record.offset()) || config.skip.test(origin)) {
        state.skipping.put(key, record.offset());
        state.done.add(record.offset());
        LOG.debug("call {} at {}-{}@{} ended before; skipped", LogSafe.id(key), record.topic(), record.partition(),
            record.offset());
        return;
      }
      ReplayCall call;
      try {
        call = new ReplayCall(origin, record.value(), config.factory);
      } catch (RuntimeException e) {
        LOG.error("call {} at {}-{}@{}: cannot replay ({}); its records are skipped", LogSafe.id(key),
            record.topic(), record.partition(), record.offset(), e.toString());
        state.skipping.put(key, record.offset());
        state.done.add(record.offset());
        return;
      }
      state.open.put(key, call);
      state.openByStart.put(record.offset(), call);
      call.begin();
      if (call.ended()) {
        closeCall(state, key, call);
      }
    }

    private void closeCall(PartitionState state, String key, ReplayCall call) {
      state.open.remove(key, call);
      state.openByStart.remove(call.origin().offset(), call);
      state.done.add(call.origin().offset());
      commitNow = true;
    }

    private void abandon(PartitionState state, String why) {
      for (ReplayCall call : List.copyOf(state.openByStart.values())) {
        call.abandon(EndReason.SHUTDOWN, new CallAbandonedException(why + "; the call is replayed from its start"));
      }
      // open calls stay uncommitted: whoever owns the partition next drives them again from their start
    }

    private void commit(boolean sync) {
      commitNow = false;
      Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
      for (PartitionState state : partitions.values()) {
        OffsetAndMetadata point = state.commitPoint();
        if (point != null && !point.equals(state.committed)) {
          offsets.put(state.tp, point);
        }
      }
      if (offsets.isEmpty()) {
        return;
      }
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(sync ? 10 : 30));
        offsets.forEach((tp, point) -> {
          PartitionState state = partitions.get(tp);
          if (state != null) {
            state.committed = point;
          }
        });
      } catch (WakeupException e) {
        if (running) {
          throw e;
        }
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        // not fatal: the previous commit is still a consistent restart point
        LOG.warn("kafka source consumer {}: commit failed ({}); retried after the next records", index, e.toString());
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (!joinedOnce) {
        joinedOnce = true;
        lastRecordNanos.set(System.nanoTime());
        joined.countDown();
      }
      if (assigned.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(assigned));
      for (TopicPartition tp : assigned) {
        PartitionState state = new PartitionState(tp, committed.get(tp));
        partitions.put(tp, state);
        LOG.debug("consumer {} assigned {} from {}", index, tp, committed.get(tp));
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      for (TopicPartition tp : revoked) {
        PartitionState state = partitions.get(tp);
        if (state != null) {
          abandon(state, "partition " + tp + " moved to another consumer");
        }
      }
      try {
        commit(true);
      } catch (RuntimeException e) {
        LOG.warn("kafka source consumer {}: commit on revocation failed: {}", index, e.toString());
      }
      for (TopicPartition tp : revoked) {
        partitions.remove(tp);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      for (TopicPartition tp : lost) {
        PartitionState state = partitions.remove(tp);
        if (state != null) {
          abandon(state, "partition " + tp + " lost");
        }
      }
    }
  }

  /** Configures a {@link KafkaCallSource}. */
  public static final class Builder {
    private final String bootstrap;
    private final CallStreamListener.Factory factory;
    private String topic = KafkaWire.DEFAULT_TOPIC;
    private String group = "callstream-replay";
    private int consumers = 1;
    private Predicate<CallOrigin> skip = origin -> false;
    private final Map<String, Object> overrides = new LinkedHashMap<>();

    private Builder(String bootstrap, CallStreamListener.Factory factory) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** The topic; default {@value KafkaWire#DEFAULT_TOPIC}. It must exist. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** The consumer group; default {@code callstream-replay}. */
    public Builder group(String group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /** Consumer threads in this process (each takes its share of the partitions); default 1. */
    public Builder consumers(int consumers) {
      if (consumers < 1) {
        throw new IllegalArgumentException("consumers < 1");
      }
      this.consumers = consumers;
      return this;
    }

    /**
     * Calls to skip: asked at each {@code call-start} the source would drive; true skips the whole
     * call (for a sink that knows it already finished that call). Called on a consumer thread.
     */
    public Builder skip(Predicate<CallOrigin> skip) {
      this.skip = Objects.requireNonNull(skip, "skip");
      return this;
    }

    /** Any Kafka consumer setting (security...); group, offsets and auto-commit are the source's. */
    public Builder consumerProperty(String name, Object value) {
      overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Checks that the topic exists and starts consuming.
     *
     * @throws KafkaCallException when the topic does not exist or the cluster cannot be reached
     */
    public KafkaCallSource start() {
      return new KafkaCallSource(this);
    }
  }
}
