/*
 * The benchmarks' own Kafka broker (deploy/local/kafka.sh with its own ports and state dir, fresh every run,
 * stopped at the end) and the Kafka tools (ProducerPerformance / ConsumerPerformance, artifact `kafka-tools`
 * of deploy/local/kafka/pom.xml, resolved with Maven into a folder of its own so the broker's classpath
 * stays as it is).
 */
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafkaConnection, type KafkaConnection } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { Kafka, logLevel, type Admin } from './kafkajs';
import { ROOT } from './records';

const run = promisify(execFile);
const POM = join(ROOT, 'deploy/local/kafka/pom.xml');
const TOOLS_LOG4J = join(ROOT, '.cache/bench-kafka/tools-log4j.properties');

export interface BenchBroker {
  readonly brokers: string[];
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** The same broker through libs/kafka (ensureTopics, producers of the pipeline). */
  readonly connection: KafkaConnection;
  stop(): Promise<void>;
}

export interface BrokerOptions {
  readonly port: number;
  readonly stateDir: string;
  readonly heap?: string;
}

function brokerEnv(o: BrokerOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_PORT: String(o.port),
    KAFKA_CONTROLLER_PORT: String(o.port + 1),
    KAFKA_STATE_DIR: o.stateDir,
    KAFKA_HEAP: o.heap ?? '512m',
    KAFKA_FRESH: '1',
  };
}

/** Starts a fresh broker on 127.0.0.1:<port> (controller <port+1>); refuses a port someone else holds. */
export async function startBroker(o: BrokerOptions): Promise<BenchBroker> {
  const script = join(ROOT, 'deploy/local/kafka.sh');
  const env = brokerEnv(o);
  const status = await run('bash', [script, 'status'], { env }).then(
    (r) => r.stdout,
    () => 'down',
  );
  if (status.includes('external broker'))
    throw new Error(
      `port ${o.port} is held by a broker the bench did not start: pick another (BENCH_KAFKA_PORT)`,
    );
  if (status.startsWith('up')) await run('bash', [script, 'down'], { env });
  await run('bash', [script, 'up'], { env, maxBuffer: 1 << 24 });
  const brokers = [`127.0.0.1:${o.port}`];
  const kafka = new Kafka({
    clientId: 'bench',
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  return {
    brokers,
    kafka,
    admin,
    connection: createKafkaConnection({
      brokers,
      clientId: 'bench',
      logger: createLogger('bench', 'fatal'),
    }),
    async stop() {
      await admin.disconnect().catch(() => undefined);
      await run('bash', [script, 'down'], { env });
    },
  };
}

function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(
    readFileSync(POM, 'utf8'),
  );
  if (!m?.[1]) throw new Error(`no <kafka.version> in ${POM}`);
  return m[1];
}

/** The classpath folder with kafka-tools and its dependencies (resolved once with Maven). */
export async function toolsClasspath(): Promise<string> {
  const dir = join(ROOT, '.cache/bench-kafka/libs');
  const jar = `kafka-tools-${kafkaVersion()}.jar`;
  if (!existsSync(dir) || !readdirSync(dir).includes(jar)) {
    await run(
      'mvn',
      [
        '-B',
        '-q',
        '-Dstyle.color=never',
        '-f',
        POM,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${dir}`,
      ],
      { maxBuffer: 1 << 24 },
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    TOOLS_LOG4J,
    'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n\n',
  );
  return `${dir}/*`;
}

/** Runs a Kafka tool class; resolves with its stdout (stderr carries log4j noise and is kept for errors). */
export async function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  timeoutMs = 300_000,
): Promise<string> {
  const cp = await toolsClasspath();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      [
        '-Xmx512m',
        '-XX:+UseG1GC',
        `-Dlog4j.configuration=file:${TOOLS_LOG4J}`,
        '-cp',
        cp,
        mainClass,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${mainClass} exited ${String(code)}: ${(err || out).slice(-1500)}`,
          ),
        );
    });
  });
}
