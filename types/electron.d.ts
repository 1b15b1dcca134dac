/**
 * Stand-in types for the optional `electron` package, which cannot be installed on machines
 * without access to GitHub (its postinstall downloads the binary). They mirror Electron 41's own
 * `electron.d.ts` (checked against 41.7.1), member for member, for exactly the subset that
 * app/shell/main.ts and app/shell/preload.ts use; nothing else of Electron is declared.
 *
 * @remarks
 * The module is declared as the pattern `'electron*'`, not the name `'electron'`, so that it is
 * only a fallback. TypeScript resolves an import first to an ambient module of that exact name,
 * then to a file found through node_modules, and only then to a pattern such as this one. With
 * `electron` installed, its own `electron.d.ts` (which declares `module 'electron'`) therefore
 * applies and this file is inert; without it, this file applies. (An exact `declare module
 * 'electron'` here would instead merge with Electron's own and fail to compile: `export =` beside
 * other exports.) The file reaches the program through tsconfig.json's `include` of `types/`.
 */
declare module 'electron*' {
  interface Point {
    x: number;
    y: number;
  }

  interface Rectangle {
    x: number;
    y: number;
    width: number;
    height: number;
  }

  interface Display {
    id: number;
    label: string;
    bounds: Rectangle;
    workArea: Rectangle;
    internal: boolean;
    scaleFactor: number;
  }

  type Event<Params extends object = {}> = {
    preventDefault: () => void;
    readonly defaultPrevented: boolean;
  } & Params;

  interface WebContentsWillNavigateEventParams {
    url: string;
    isSameDocument: boolean;
    isMainFrame: boolean;
  }

  interface WebContentsWillRedirectEventParams {
    url: string;
    isSameDocument: boolean;
    isMainFrame: boolean;
  }

  interface Input {
    type: string;
    key: string;
    code: string;
    isAutoRepeat: boolean;
    shift: boolean;
    control: boolean;
    alt: boolean;
    meta: boolean;
  }

  interface RenderProcessGoneDetails {
    exitCode: number;
    reason: 'clean-exit' | 'abnormal-exit' | 'killed' | 'crashed' | 'oom' | 'launch-failed' | 'integrity-failure' | 'memory-eviction';
  }

  interface HandlerDetails {
    url: string;
    frameName: string;
    features: string;
  }

  interface WindowOpenHandlerResponse {
    action: 'deny' | 'allow';
  }

  interface LoadURLOptions {
    userAgent?: string;
  }

  class WebContents {
    loadURL(url: string, options?: LoadURLOptions): Promise<void>;
    getURL(): string;
    insertCSS(css: string): Promise<string>;
    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
    on(event: 'will-navigate', listener: (details: Event<WebContentsWillNavigateEventParams>, url: string, isInPlace: boolean, isMainFrame: boolean, frameProcessId: number, frameRoutingId: number) => void): this;
    on(event: 'will-redirect', listener: (details: Event<WebContentsWillRedirectEventParams>, url: string, isInPlace: boolean, isMainFrame: boolean, frameProcessId: number, frameRoutingId: number) => void): this;
    on(event: 'did-fail-load', listener: (event: Event, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean, frameProcessId: number, frameRoutingId: number) => void): this;
    on(event: 'did-finish-load', listener: () => void): this;
    on(event: 'dom-ready', listener: () => void): this;
    on(event: 'before-input-event', listener: (event: Event, input: Input) => void): this;
    on(event: 'render-process-gone', listener: (event: Event, details: RenderProcessGoneDetails) => void): this;
  }

  interface WebPreferences {
    preload?: string;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    contextIsolation?: boolean;
    backgroundThrottling?: boolean;
  }

  interface BrowserWindowConstructorOptions {
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    title?: string;
    frame?: boolean;
    fullscreen?: boolean;
    backgroundColor?: string;
    autoHideMenuBar?: boolean;
    webPreferences?: WebPreferences;
  }

  class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    readonly webContents: WebContents;
    isDestroyed(): boolean;
    isFullScreen(): boolean;
    setFullScreen(flag: boolean): void;
    on(event: 'closed', listener: () => void): this;
  }

  interface OnBeforeRequestListenerDetails {
    id: number;
    url: string;
    method: string;
  }

  interface CallbackResponse {
    cancel?: boolean;
    redirectURL?: string;
  }

  interface WebRequest {
    onBeforeRequest(listener: ((details: OnBeforeRequestListenerDetails, callback: (response: CallbackResponse) => void) => void) | null): void;
  }

  type PermissionName = 'clipboard-read' | 'clipboard-sanitized-write' | 'display-capture' | 'fullscreen' | 'geolocation' | 'idle-detection' | 'media' | 'mediaKeySystem' | 'midi' | 'midiSysex' | 'notifications' | 'pointerLock' | 'keyboardLock' | 'openExternal' | 'speaker-selection' | 'storage-access' | 'top-level-storage-access' | 'window-management' | 'unknown' | 'fileSystem';

  class Session {
    static defaultSession: Session;
    readonly webRequest: WebRequest;
    setPermissionRequestHandler(handler: ((webContents: WebContents, permission: PermissionName, callback: (permissionGranted: boolean) => void) => void) | null): void;
  }

  interface App {
    whenReady(): Promise<void>;
    quit(): void;
    exit(exitCode?: number): void;
    on(event: 'window-all-closed', listener: () => void): this;
    on(event: 'web-contents-created', listener: (event: Event, webContents: WebContents) => void): this;
  }

  interface Screen {
    getAllDisplays(): Display[];
    getPrimaryDisplay(): Display;
    getDisplayNearestPoint(point: Point): Display;
  }

  interface PowerSaveBlocker {
    start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
    stop(id: number): boolean;
  }

  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: any): void;
  }

  const app: App;
  const screen: Screen;
  const session: typeof Session;
  const powerSaveBlocker: PowerSaveBlocker;
  const contextBridge: ContextBridge;
}
