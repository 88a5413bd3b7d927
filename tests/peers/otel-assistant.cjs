#!/usr/bin/env node
// SPDX-License-Identifier: ISC
//
// An assistant backend as a real deployment writes it: the official `openai` client, and
// OpenTelemetry metrics from the official OpenAI instrumentation
// (@opentelemetry/instrumentation-openai), exported for Prometheus to scrape. Leitstand's tests
// run it against `leitstand sim serve` to see what a real instrumented peer emits.
//
//   node otel-assistant.cjs --base-url http://127.0.0.1:PORT/v1 --metrics-port PORT \
//       [--rate 5/s] [--stream-share 0.2] [--model gpt-4o[,gpt-4o-mini...]] \
//       [--timeout SECONDS] [--positive 0.85] [--max-in-flight 64] [--duration SECONDS]
//
// CommonJS on purpose: require() lets the instrumentation hook `openai` before it is loaded,
// with no ESM loader hook (--import) needed.
'use strict';

const USAGE = `usage: otel-assistant.cjs --base-url URL --metrics-port PORT [--rate N/s]
    [--stream-share 0..1] [--model NAME[,NAME...]] [--timeout SECONDS] [--positive 0..1]
    [--max-in-flight N] [--duration SECONDS]`;

function usage(msg) {
	process.stderr.write(`otel-assistant: ${msg}\n${USAGE}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const o = {
		baseURL: null,
		metricsPort: null,
		rate: 5,
		streamShare: 0.2,
		models: ['gpt-4o-mini', 'gpt-4o'],
		timeout: 60,
		positive: 0.85,
		maxInFlight: 64,
		duration: 0,
	};
	const num = (name, v, lo, hi) => {
		const n = Number(v);
		if (v === undefined || v === '' || !Number.isFinite(n) || n < lo || n > hi)
			usage(`${name}: expected a number from ${lo} to ${hi}, got "${v ?? ''}"`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const v = argv[i + 1];
		switch (a) {
		case '--base-url':
			if (!v || !/^https?:\/\//.test(v))
				usage(`--base-url: expected an http(s) URL, got "${v ?? ''}"`);
			o.baseURL = v.replace(/\/+$/, '');
			if (!/\/v1$/.test(o.baseURL))
				o.baseURL += '/v1';
			i++;
			break;
		case '--metrics-port':
			o.metricsPort = num(a, v, 1, 65535);
			i++;
			break;
		case '--rate':
			o.rate = num(a, (v ?? '').replace(/\/s$/, ''), 0.01, 1000);
			i++;
			break;
		case '--stream-share':
			o.streamShare = num(a, v, 0, 1);
			i++;
			break;
		case '--model':
			if (!v)
				usage('--model: expected a model name');
			o.models = v.split(',').filter(Boolean);
			i++;
			break;
		case '--timeout':
			o.timeout = num(a, v, 0.001, 3600);
			i++;
			break;
		case '--positive':
			o.positive = num(a, v, 0, 1);
			i++;
			break;
		case '--max-in-flight':
			o.maxInFlight = num(a, v, 1, 10000);
			i++;
			break;
		case '--duration':
			o.duration = num(a, v, 0, 86400);
			i++;
			break;
		case '-h':
		case '--help':
			process.stdout.write(USAGE + '\n');
			process.exit(0);
			break;
		default:
			usage(`unknown argument "${a}"`);
		}
	}
	if (!o.baseURL)
		usage('--base-url is required');
	if (!o.metricsPort)
		usage('--metrics-port is required');
	return o;
}

const opts = parseArgs(process.argv.slice(2));

// 1. OpenTelemetry first: a MeterProvider with the Prometheus exporter as its reader, and the
//    OpenAI instrumentation registered before anything requires `openai`.
const { metrics } = require('@opentelemetry/api');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');

const exporter = new PrometheusExporter({ host: '127.0.0.1', port: opts.metricsPort }, (err) => {
	if (err) {
		process.stderr.write(`otel-assistant: metrics endpoint: ${err.message || err}\n`);
		process.exit(1);
	}
	process.stdout.write(`metrics on http://127.0.0.1:${opts.metricsPort}/metrics\n`);
});
const meterProvider = new MeterProvider({
	resource: resourceFromAttributes({
		'service.name': 'otel-assistant',
		'service.version': require('./package.json').version || '0',
	}),
	readers: [exporter],
});
metrics.setGlobalMeterProvider(meterProvider);
registerInstrumentations({
	instrumentations: [new OpenAIInstrumentation()],
	meterProvider,
});

// 2. Only now the client library.
const { default: OpenAI } = require('openai');

const client = new OpenAI({
	baseURL: opts.baseURL,
	apiKey: 'test',
	maxRetries: 0,
	timeout: Math.round(opts.timeout * 1000),
});

// The app's own business metric: user feedback on answers.
const meter = metrics.getMeter('otel-assistant');
const feedback = meter.createCounter('assistant_feedback', {
	description: 'User feedback on answers (thumbs up or down)',
});

const SYSTEM = 'You are the customer-service assistant of an online shop. Answer briefly.';
const QUESTIONS = [
	'Where is my order?',
	'How do I return a pair of shoes?',
	'Can I change the delivery address of order 4711?',
	'Do you ship to Austria?',
	'My invoice shows the wrong VAT number, what can I do?',
	'How long does a refund take?',
	'Is the blue jacket available in size M?',
	'I forgot my password.',
];

const pick = (a) => a[Math.floor(Math.random() * a.length)];
const stats = { sent: 0, ok: 0, skipped: 0, errors: {} };
const inFlight = new Set();
let stopping = false;

async function ask() {
	const stream = Math.random() < opts.streamShare;
	const ac = new AbortController();
	inFlight.add(ac);
	stats.sent++;
	const params = {
		model: pick(opts.models),
		messages: [
			{ role: 'system', content: SYSTEM },
			{ role: 'user', content: pick(QUESTIONS) },
		],
		temperature: 0.3,
	};
	try {
		if (stream) {
			const s = await client.chat.completions.create(
				{ ...params, stream: true, stream_options: { include_usage: true } },
				{ signal: ac.signal });
			// Consumed to the end, as a chat UI does, usage chunk included.
			for await (const chunk of s) {
				void chunk;
			}
		} else {
			await client.chat.completions.create(params, { signal: ac.signal });
		}
		stats.ok++;
		feedback.add(1, { rating: Math.random() < opts.positive ? 'positive' : 'negative' });
	} catch (err) {
		if (stopping)
			return;
		const type = (err && err.constructor && err.constructor.name) || 'Error';
		stats.errors[type] = (stats.errors[type] || 0) + 1;
		// A user who got an error instead of an answer is not happy either.
		feedback.add(1, { rating: 'negative' });
	} finally {
		inFlight.delete(ac);
	}
}

const tick = setInterval(() => {
	if (stopping)
		return;
	if (inFlight.size >= opts.maxInFlight) {
		stats.skipped++;
		return;
	}
	ask();
}, 1000 / opts.rate);

const report = setInterval(() => {
	process.stdout.write(`sent ${stats.sent} ok ${stats.ok} skipped ${stats.skipped} ` +
	    `errors ${JSON.stringify(stats.errors)}\n`);
}, 10000);

async function stop(code) {
	if (stopping)
		return;
	stopping = true;
	// Never hang on the way out: in-flight requests and the exporter get 3 s.
	setTimeout(() => process.exit(code), 3000).unref();
	clearInterval(tick);
	clearInterval(report);
	for (const ac of inFlight)
		ac.abort();
	try {
		await meterProvider.shutdown();
	} catch (err) {
		process.stderr.write(`otel-assistant: shutdown: ${err.message || err}\n`);
	}
	process.exit(code);
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
if (opts.duration > 0)
	setTimeout(() => stop(0), opts.duration * 1000);
