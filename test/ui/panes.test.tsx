import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { GoAwayPane } from '../../src/ui/panes/goaway-pane.js';
import { HelpOverlay } from '../../src/ui/panes/help-overlay.js';
import { InputLine } from '../../src/ui/panes/input-line.js';
import { StatusLine } from '../../src/ui/panes/status-line.js';
import { TranscriptPane } from '../../src/ui/panes/transcript-pane.js';
import { UsagePane, gauge } from '../../src/ui/panes/usage-pane.js';
import { TuiStore, type TuiSettings } from '../../src/ui/state/tui-store.js';
import { audioEvent, eventsUntil, feed, loadEvents, manualClock, maskVolatile, sinePcm, stripAnsi } from './helpers.js';

// ink-testing-library draws at a fixed 100 columns.
let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const unmount of cleanup) unmount();
  cleanup = [];
});
function draw(node: Parameters<typeof render>[0]) {
  const rendered = render(node);
  cleanup.push(rendered.unmount);
  return { ...rendered, text: () => stripAnsi(rendered.lastFrame() ?? '') };
}

function storeWith(name: string, settings: Partial<TuiSettings> = {}) {
  const clock = manualClock();
  const store = new TuiStore({ model: 'm', mic: 'live', pushToTalk: false, now: clock.now, ...settings });
  feed(store, loadEvents(name));
  return { store, clock };
}

describe('TranscriptPane', () => {
  it('labels speakers, marks the interrupted reply and prints each settled turn once', () => {
    const { store } = storeWith('barge-in-audio');
    const { text, rerender } = draw(<TranscriptPane transcript={store.getSnapshot().transcript} color={false} />);
    expect(text()).toContain('you: [speech #1 @0.02s 3.62s]');
    expect(text()).toContain('gemini: I heard ⏹ interrupted');
    expect(text()).toContain('you: [speech #2 @4.34s 3.62s]');
    expect(text()).toContain('gemini: I heard speech #2, 3.62 seconds.');
    rerender(<TranscriptPane transcript={store.getSnapshot().transcript} color={false} />);
    expect(text().split('I heard ⏹ interrupted')).toHaveLength(2);
  });

  it('shows live turns below the settled ones, growing with each piece', () => {
    const events = loadEvents('goaway-text');
    const clock = manualClock();
    const store = new TuiStore({ model: 'm', mic: 'off', pushToTalk: false, now: clock.now });
    feed(store, eventsUntil(events, (event) => event.type === 'transcript.output' && event.text === ' tell me'));
    const { text, rerender } = draw(<TranscriptPane transcript={store.getSnapshot().transcript} color={false} />);
    expect(text()).toMatch(/you: hello there\ngemini: You said: hello there\nyou: tell me more\ngemini: You said: tell me$/);
    feed(store, [{ type: 'transcript.output', text: ' more', t: 1362.3, conn: 1 }]);
    rerender(<TranscriptPane transcript={store.getSnapshot().transcript} color={false} />);
    expect(text()).toMatch(/gemini: You said: tell me more$/);
  });

  it('labels history turns when colour is off and shows thoughts', () => {
    const history = storeWith('resume-history').store;
    expect(draw(<TranscriptPane transcript={history.getSnapshot().transcript} color={false} />).text()).toContain('(earlier) you: think about lunch');
    const drop = storeWith('drop-text').store;
    expect(draw(<TranscriptPane transcript={drop.getSnapshot().transcript} color={false} />).text()).toContain(
      'gemini (thinking): Thinking about how to answer "about lunch".\ngemini: You said: about lunch',
    );
  });
});

describe('UsagePane', () => {
  it('shows the last turn by modality, the summed responses and the context gauge with the trigger', () => {
    const { store } = storeWith('goaway-text', { contextWindowTokens: 400, compressionTriggerTokens: 300 });
    const { text } = draw(<UsagePane usage={store.getSnapshot().usage} width={100} color={false} />);
    expect(text()).toContain('tokens: prompt 90 (TEXT 13 · AUDIO 77) · response 54 (AUDIO 54) · total 144 · session responses 131');
    expect(text()).toContain(`context ${gauge(144 / 400, 0.75, 30)} 144 / 400 (36.0%) · compresses at 300`);
    expect(gauge(144 / 400, 0.75, 30)).toBe(`▕${'█'.repeat(11)}${'░'.repeat(12)}│${'░'.repeat(6)}▏`);
  });

  it('says so before the first report, and shows thoughts tokens', () => {
    expect(draw(<UsagePane usage={{ sessionResponseTokens: 0, turns: 0 }} color={false} />).text()).toBe('tokens: none yet');
    const { store } = storeWith('drop-text');
    const { text } = draw(<UsagePane usage={store.getSnapshot().usage} color={false} />);
    expect(text()).toContain('response 6 (TEXT 6) · total 29 · session responses 18');
    expect(text()).toContain('context: 29 tokens');
  });
});

describe('GoAwayPane', () => {
  it('counts down as the clock advances, and is empty when hidden', () => {
    const { store } = storeWith('goaway-text');
    expect(draw(<GoAwayPane goAway={store.getSnapshot().goAway} now={0} />).text()).toBe('');
    const goAway = { phase: 'countdown', conn: 1, deadline: 11_000 } as const;
    const { text, rerender } = draw(<GoAwayPane goAway={goAway} now={2_000} color={false} />);
    expect(text()).toBe('⚠ server ends connection 1 in 9.0 s (goAway) · handing over');
    rerender(<GoAwayPane goAway={goAway} now={7_500} color={false} />);
    expect(text()).toContain('in 3.5 s');
    expect(maskVolatile(text())).toBe('⚠ server ends connection 1 in N s (goAway) · handing over');
  });
});

describe('StatusLine', () => {
  it('shows model, voice, connection generation, mic state, meters and key hints', () => {
    const clock = manualClock();
    const store = new TuiStore({ model: 'm', voice: 'Kore', mic: 'live', pushToTalk: false, now: clock.now });
    feed(store, eventsUntil(loadEvents('goaway-text'), (event) => event.type === 'resumed'));
    store.handle(audioEvent(0, sinePcm(1)));
    const state = store.getSnapshot();
    const props = { ...state, now: clock.now(), color: false } as const;
    const { text, rerender } = draw(<StatusLine {...props} />);
    // 100 columns: the output meter wraps to the next line as a whole.
    expect(text()).toContain('gemini-2.5-flash-native-audio-preview-12-2025 · Kore · open · conn 2 · mic live in ▕░░░░░░░░▏\nout ▕████████▏');
    expect(text()).toContain('m mute · t type · ? help · q quit');
    rerender(<StatusLine {...props} model="short" connection={{ ...state.connection, status: 'closed' }} now={clock.now() + 2_000} mic="muted" />);
    expect(text()).toContain('short · Kore · closed · conn 2 · mic muted in ▕░░░░░░░░▏ out ▕░░░░░░░░▏');
    expect(text()).toContain('m unmute');
    rerender(<StatusLine {...props} pushToTalk mic="ptt-idle" message={{ text: 'boom', tone: 'error' }} />);
    expect(text()).toContain('push-to-talk idle');
    expect(text()).toContain('Space talk · m mute');
    expect(text()).toMatch(/^error: boom$/m);
    rerender(<StatusLine {...props} model="short" mic="off" typing />);
    expect(text()).toContain('mic off (text mode) out');
    expect(text()).toContain('Enter send · Esc cancel · Ctrl+C quit');
  });
});

describe('HelpOverlay and InputLine', () => {
  it('lists every key, Space only under push-to-talk', () => {
    const { text } = draw(<HelpOverlay pushToTalk={false} color={false} />);
    for (const key of ['m ', 't, Enter', 'Esc', 'Backspace', '?', 'q ', 'Ctrl+C']) expect(text()).toContain(key);
    expect(text()).not.toContain('Space');
    expect(draw(<HelpOverlay pushToTalk color={false} />).text()).toContain('Space');
  });

  it('shows the typed line with a cursor', () => {
    expect(draw(<InputLine text="hello m q" color={false} />).text()).toBe('> hello m q▌');
  });
});
