/**
 * The settings schema: the one source of truth for every key of megabit.yaml, its type, default
 * and description. `Settings` below is checked against it by a test.
 */
import { BOUNDARY_PATTERN, BUTTON_TIMING_LIMITS, DEFAULT_BUTTON_TIMINGS, PRIORITIES, type Priority } from '@megabit/contract';

export const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    device_id: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
      default: 'megabit',
      description: "This display's id: the second level of every topic.",
    },
    groups: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
      uniqueItems: true,
      maxItems: 32,
      default: [],
      description:
        'Display groups this display belongs to: it also takes the group commands on <base>/group/<name>/cmd/# and replies on <base>/group/<name>/response/#. Empty = none.',
    },
    log_level: { enum: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Least severe log level printed.' },
    data_dir: { type: 'string', minLength: 1, default: '~/.megabit', description: 'Where apps, their KV stores and state live.' },
    time_zone: {
      type: 'string',
      minLength: 1,
      default: 'system',
      description: 'IANA zone for apps\' local time and for schedules and night mode ("system" = this machine\'s).',
    },
    location: {
      type: 'object',
      additionalProperties: false,
      required: ['latitude', 'longitude'],
      description:
        "Where the display is, for sun times in schedules and night mode (computed here, no network). Absent = Home Assistant's zone.home when connected, else sun windows stay closed.",
      properties: {
        latitude: { type: 'number', minimum: -90, maximum: 90, description: 'Degrees, north positive.' },
        longitude: { type: 'number', minimum: -180, maximum: 180, description: 'Degrees, east positive.' },
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', pattern: '^(mqtts?|wss?|tcp|ssl)://', description: 'External broker URL; absent = the embedded broker.' },
        base_topic: { type: 'string', pattern: '^[^#+/\\s][^#+\\s]*[^#+/\\s]$|^[^#+/\\s]$', default: 'megabit', description: 'First level of every topic.' },
        username: { type: 'string', description: 'Broker user name.' },
        password: { type: 'string', description: 'Broker password.' },
        client_id: { type: 'string', description: 'MQTT client id (default megabit-<device_id>).' },
        ca: { type: 'string', description: 'TLS: CA certificate file (PEM).' },
        cert: { type: 'string', description: 'TLS: client certificate file (PEM).' },
        key: { type: 'string', description: 'TLS: client key file (PEM).' },
        reject_unauthorized: { type: 'boolean', default: true, description: 'TLS: refuse brokers whose certificate does not verify.' },
        keepalive_s: { type: 'integer', minimum: 5, maximum: 3600, default: 30, description: 'MQTT keepalive in seconds.' },
      },
    },
    broker: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: {
          type: 'string',
          minLength: 1,
          description:
            'Embedded broker: address to listen on. Absent = 127.0.0.1 (this machine only) without logins, 0.0.0.0 (the LAN) with a password_file. A non-loopback address without logins is refused unless allow_anonymous is true.',
        },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 1883, description: 'Embedded broker: MQTT TCP port (0 = any free port).' },
        ws_port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: 8083,
          description: 'Embedded broker: plain MQTT-over-WebSocket port (0 = any free port). The simulator uses ws://<host>:<http.port>/mqtt instead.',
        },
        password_file: {
          type: 'string',
          minLength: 1,
          description:
            'Embedded broker: logins from this file, in mosquitto\'s format (what mosquitto_passwd and "megabit user add" write). Absent = no logins, and every listener stays on loopback.',
        },
        acl_file: {
          type: 'string',
          minLength: 1,
          description:
            "Embedded broker: per-user topic access from this file, in mosquitto's ACL format. Absent with logins = every logged-in user may use every topic.",
        },
        allow_anonymous: {
          type: 'boolean',
          default: false,
          description:
            'Embedded broker and page: accept clients without a login on a non-loopback address. Off by default; only for a network you trust entirely.',
        },
        max_packet_bytes: {
          type: 'integer',
          minimum: 65536,
          maximum: 268435455,
          default: 12582912,
          description:
            'Embedded broker: largest MQTT packet accepted, on every listener (the largest app install needs about 12 MiB); larger packets close the connection.',
        },
        max_retained_messages: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 10000,
          description: 'Embedded broker: most retained messages kept; further new retained topics are dropped.',
        },
        max_retained_bytes: {
          type: 'integer',
          minimum: 65536,
          maximum: 4294967295,
          default: 67108864,
          description: 'Embedded broker: most bytes of retained messages kept, topics and payloads (default 64 MiB); further retained messages are dropped.',
        },
        sys_topics: { type: 'boolean', default: false, description: 'Embedded broker: publish $SYS statistics topics.' },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          description: 'Embedded broker: also listen with TLS (mqtts and wss). Absent = no TLS listeners.',
          properties: {
            port: { type: 'integer', minimum: 0, maximum: 65535, default: 8883, description: 'MQTT over TLS port (0 = any free port).' },
            ws_port: { type: 'integer', minimum: 0, maximum: 65535, default: 8884, description: 'MQTT over secure WebSocket port (0 = any free port).' },
            cert: { type: 'string', minLength: 1, description: 'Server certificate file (PEM), with its chain.' },
            key: { type: 'string', minLength: 1, description: 'Server private key file (PEM).' },
            ca: { type: 'string', minLength: 1, description: 'CA certificate file (PEM) that client certificates must chain to.' },
            require_certificate: { type: 'boolean', default: false, description: 'Refuse TLS clients without a certificate signed by ca.' },
          },
        },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: {
          type: 'string',
          minLength: 1,
          description: 'Address the simulator page and /mqtt WebSocket listen on. Absent = like the broker: loopback until logins exist.',
        },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8000, description: 'HTTP port of the simulator page (0 = any free port).' },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          description: 'Serve the page and /mqtt over HTTPS instead of HTTP.',
          properties: {
            cert: { type: 'string', minLength: 1, description: 'Server certificate file (PEM), with its chain.' },
            key: { type: 'string', minLength: 1, description: 'Server private key file (PEM).' },
          },
        },
        auth_token: { type: 'string', minLength: 16, description: 'When set, the page and /mqtt require this token (Authorization: Bearer, or ?token=).' },
        allowed_origins: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
          description:
            "Origins (scheme://host:port) whose web pages may open the WebSocket servers, besides the page's own origin when it is reached by IP address, localhost or this machine's name (other names could be DNS rebinding). List a DNS name you reach the page by here.",
        },
        max_connections: { type: 'integer', minimum: 1, maximum: 10000, default: 64, description: 'Most open HTTP and WebSocket connections at once.' },
      },
    },
    serial: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: { type: 'string', minLength: 1, description: 'Serial device of the coprocessor, or "auto"; absent = no hardware (simulator only).' },
      },
    },
    button: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        long_press_ms: {
          type: 'integer',
          minimum: BUTTON_TIMING_LIMITS.longPressMs.min,
          maximum: BUTTON_TIMING_LIMITS.longPressMs.max,
          default: DEFAULT_BUTTON_TIMINGS.longPressMs,
          description:
            'A hold of the button at least this long is a long_press (reported while still held); shorter is a press. Hardware and simulator button alike.',
        },
        double_press_ms: {
          type: 'integer',
          minimum: BUTTON_TIMING_LIMITS.doublePressMs.min,
          maximum: BUTTON_TIMING_LIMITS.doublePressMs.max,
          default: DEFAULT_BUTTON_TIMINGS.doublePressMs,
          description:
            "A press starting less than this long after a press's release makes the two one double_press; a single press is reported this long after its release.",
        },
      },
    },
    homeassistant: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Publish Home Assistant MQTT discovery.' },
        discovery_prefix: { type: 'string', minLength: 1, default: 'homeassistant', description: "Home Assistant's discovery prefix." },
        birth_topic: {
          type: 'string',
          minLength: 1,
          pattern: '^[^#+]+$',
          default: 'homeassistant/status',
          description:
            'Where Home Assistant announces itself ("online") after a restart: its MQTT birth message topic, which does not follow the discovery prefix.',
        },
        image_interval_s: {
          type: 'integer',
          minimum: 5,
          maximum: 86400,
          default: 30,
          description:
            'The Screen image entity gets a new picture at most this often (and on each app change or notification); every picture is a recorded state in Home Assistant.',
        },
        url: {
          type: 'string',
          pattern: '^(https?|wss?)://',
          description: "Home Assistant's address (e.g. http://homeassistant.local:8123), for apps that read entity states; absent = none.",
        },
        token: { type: 'string', minLength: 1, description: 'A long-lived access token of a Home Assistant user (never logged).' },
        app_access: {
          type: 'array',
          items: { type: 'string', pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)?$' },
          default: [],
          description:
            'Home Assistant entities apps may read: domains ("sensor") or entity ids ("sensor.power"). An app reads what its manifest asks for within this list; empty = nothing.',
        },
      },
    },
    rotation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Advance through the apps automatically.' },
        default_duration_ms: {
          type: 'integer',
          minimum: 1000,
          maximum: 86400000,
          default: 15000,
          description: 'Dwell time of an app whose manifest sets none.',
        },
        fallback: {
          type: 'string',
          pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
          default: 'clock',
          description: 'The app or screen shown when schedules and conditions leave nothing visible.',
        },
      },
    },
    display: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        brightness: { type: 'integer', minimum: 0, maximum: 255, default: 128, description: 'Brightness at first start (later the last one set is kept).' },
        max_fps: {
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 30,
          description:
            "Frames per second an app's own refresh and animations send to the outputs at most; one after a quiet spell goes at once. Reactions to commands are not held.",
        },
        frame_publish_max_fps: {
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 20,
          description: 'Frames per second on P/display/frame at most (every frame, reactions too; latest wins); one after a quiet spell goes at once.',
        },
        auto_brightness: {
          type: 'object',
          additionalProperties: false,
          description: 'Brightness from a light sensor, in lux: give entity or topic. Absent = brightness only as set.',
          properties: {
            entity: { type: 'string', pattern: '^[a-z0-9_]+\\.[a-z0-9_]+$', description: 'Home Assistant entity whose state is the light level in lux.' },
            topic: { type: 'string', minLength: 1, pattern: '^[^#+]+$', description: 'MQTT topic whose payload is the light level in lux (a number).' },
            curve: {
              type: 'array',
              minItems: 2,
              maxItems: 16,
              items: {
                type: 'array',
                minItems: 2,
                maxItems: 2,
                items: [
                  { type: 'number', minimum: 0, maximum: 200000 },
                  { type: 'integer', minimum: 0, maximum: 255 },
                ],
              },
              default: [
                [0, 8],
                [10, 32],
                [100, 96],
                [1000, 192],
                [10000, 255],
              ],
              description: '[lux, brightness] points, lux rising; brightness between them follows the logarithm of lux.',
            },
            smoothing_s: {
              type: 'integer',
              minimum: 0,
              maximum: 600,
              default: 10,
              description: 'Time constant of the smoothing of readings, in seconds (0 = none).',
            },
            hysteresis: {
              type: 'integer',
              minimum: 0,
              maximum: 64,
              default: 8,
              description: 'Brightness steps the smoothed target must move from the current brightness before it changes.',
            },
            min_interval_s: {
              type: 'integer',
              minimum: 0,
              maximum: 3600,
              default: 30,
              description: 'Least time between two brightness changes, in seconds.',
            },
          },
        },
      },
    },
    night: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Night mode: dims the display, may show only one app, and holds back quiet notifications.',
      properties: {
        from: {
          type: 'string',
          pattern: BOUNDARY_PATTERN,
          description: 'Night starts: "22:00", or a sun event with an optional offset in minutes ("sunset", "dusk+30"). Absent = no night mode.',
        },
        to: { type: 'string', pattern: BOUNDARY_PATTERN, description: 'Night ends: "07:00" or a sun event ("sunrise-15"); the next one after from.' },
        brightness: { type: 'integer', minimum: 0, maximum: 255, default: 16, description: 'Brightness at night, and the most auto-brightness sets then.' },
        app: { type: 'string', minLength: 1, description: 'The only app or screen shown at night; absent = the rotation goes on.' },
        max_brightness_during_day: { type: 'integer', minimum: 0, maximum: 255, description: 'Most brightness outside the night; absent = no limit.' },
        notify_min_priority: {
          enum: PRIORITIES,
          default: 'high',
          description: 'At night, notifications of a lower priority are held back (see quiet_notifications).',
        },
        quiet_notifications: {
          enum: ['wait', 'drop'],
          default: 'wait',
          description: 'What happens to a held-back notification: it waits until the night ends, or is dropped.',
        },
        wake_s: { type: 'integer', minimum: 5, maximum: 3600, default: 60, description: 'A button press at night brings the day back for this long.' },
      },
    },
    templates: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mqtt_topics: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 256 },
          default: [],
          description:
            'MQTT topic filters ("home/#", "zigbee2mqtt/+/state") whose topics {{mqtt:topic}} templates on screens may show and show_when/pin_when conditions may read. The bridge reads as the broker itself, past every ACL: list only what every login that may publish screens or set conditions may see. Empty = no MQTT templates or topic conditions.',
        },
      },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        default_duration_ms: {
          type: 'integer',
          minimum: 500,
          maximum: 3600000,
          default: 5000,
          description: 'How long a notification shows when it names no duration.',
        },
      },
    },
    sandbox: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        run_timeout_ms: { type: 'integer', minimum: 10, maximum: 60000, default: 250, description: 'Time one app tick may take before the app is stopped.' },
        setup_timeout_ms: { type: 'integer', minimum: 100, maximum: 120000, default: 5000, description: 'Time loading and setting up an app may take.' },
        memory_mb: { type: 'integer', minimum: 1, maximum: 1024, default: 16, description: "Cap on an app's memory." },
        default_kv_bytes: { type: 'integer', minimum: 0, maximum: 16777216, default: 16384, description: 'KV quota of an app whose manifest asks for none.' },
        log_lines_per_second: { type: 'integer', minimum: 1, maximum: 10000, default: 20, description: 'Log lines an app may emit per second.' },
        allow_private_hosts: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
          description:
            "Host names (as apps write them in URLs) that may resolve to local addresses: loopback, private, link-local, CGNAT. Apps still need the host in their manifest's permissions.network. Empty = apps reach only public addresses.",
        },
      },
    },
  },
} as const;

export interface Settings {
  device_id: string;
  groups: string[];
  log_level: 'debug' | 'info' | 'warn' | 'error';
  data_dir: string;
  time_zone: string;
  location?: { latitude: number; longitude: number };
  mqtt: {
    url?: string;
    base_topic: string;
    username?: string;
    password?: string;
    client_id?: string;
    ca?: string;
    cert?: string;
    key?: string;
    reject_unauthorized: boolean;
    keepalive_s: number;
  };
  broker: {
    /** Always set after loading (see config/exposure.ts). */
    host: string;
    port: number;
    ws_port: number;
    password_file?: string;
    acl_file?: string;
    allow_anonymous: boolean;
    max_packet_bytes: number;
    max_retained_messages: number;
    max_retained_bytes: number;
    sys_topics: boolean;
    tls?: { port: number; ws_port: number; cert: string; key: string; ca?: string; require_certificate: boolean };
  };
  http: {
    /** Always set after loading (see config/exposure.ts). */
    host: string;
    port: number;
    tls?: { cert: string; key: string };
    auth_token?: string;
    allowed_origins: string[];
    max_connections: number;
  };
  serial: { path?: string };
  button: { long_press_ms: number; double_press_ms: number };
  homeassistant: {
    enabled: boolean;
    discovery_prefix: string;
    birth_topic: string;
    image_interval_s: number;
    url?: string;
    token?: string;
    app_access: string[];
  };
  rotation: { enabled: boolean; default_duration_ms: number; fallback: string };
  display: {
    brightness: number;
    max_fps: number;
    frame_publish_max_fps: number;
    auto_brightness?: {
      entity?: string;
      topic?: string;
      curve: Array<[lux: number, brightness: number]>;
      smoothing_s: number;
      hysteresis: number;
      min_interval_s: number;
    };
  };
  night: {
    from?: string;
    to?: string;
    brightness: number;
    app?: string;
    max_brightness_during_day?: number;
    notify_min_priority: Priority;
    quiet_notifications: 'wait' | 'drop';
    wake_s: number;
  };
  templates: { mqtt_topics: string[] };
  notifications: { default_duration_ms: number };
  sandbox: {
    run_timeout_ms: number;
    setup_timeout_ms: number;
    memory_mb: number;
    default_kv_bytes: number;
    log_lines_per_second: number;
    allow_private_hosts: string[];
  };
}
