/**
 * The part of easymidi 3.x that controllers/midi/easymidiBackend.ts uses.
 *
 * @remarks easymidi 3.2 ships its own index.d.ts; this ambient declaration (which TypeScript
 * prefers to the package's) keeps the project type-checking where the optional package is not
 * installed. The adapter imports the module dynamically, so its absence is a runtime error
 * reported as "MIDI unavailable", never a crash.
 */
declare module 'easymidi' {
  namespace easymidi {
    /** Channel-voice messages carry a 0-based channel (0..15). */
    interface Message {
      _type?: string;
      channel?: number;
      controller?: number;
      value?: number;
      note?: number;
      velocity?: number;
      number?: number;
    }
    class Input {
      constructor(name: string, virtual?: boolean);
      name: string;
      on(event: 'message', handler: (msg: Message) => void): this;
      close(): void;
    }
    class Output {
      constructor(name: string, virtual?: boolean);
      name: string;
      send(type: string, args?: Message): void;
      close(): void;
    }
    function getInputs(): string[];
    function getOutputs(): string[];
  }
  export = easymidi;
}
