// Raw imports: the Extism kernel (memory blocks, errors) and the Megabit host ABI v1.
// Only the SDK calls these; apps use the typed wrappers.

@external("extism:host/env", "alloc")
export declare function alloc(length: u64): u64;
@external("extism:host/env", "free")
export declare function free(offset: u64): void;
@external("extism:host/env", "length")
export declare function length(offset: u64): u64;
@external("extism:host/env", "load_u8")
export declare function load_u8(offset: u64): u8;
@external("extism:host/env", "load_u64")
export declare function load_u64(offset: u64): u64;
@external("extism:host/env", "store_u8")
export declare function store_u8(offset: u64, value: u8): void;
@external("extism:host/env", "store_u64")
export declare function store_u64(offset: u64, value: u64): void;
@external("extism:host/env", "error_set")
export declare function error_set(offset: u64): void;
@external("extism:host/env", "http_request")
export declare function http_request(request: u64, body: u64): u64;
@external("extism:host/env", "http_status_code")
export declare function http_status_code(): i32;

@external("extism:host/user", "mb_blit")
export declare function mb_blit(x: i32, y: i32, w: i32, h: i32, pixels: u64): i32;
@external("extism:host/user", "mb_blit_mem")
export declare function mb_blit_mem(x: i32, y: i32, w: i32, h: i32, pixels: usize): i32;
@external("extism:host/user", "mb_display_info")
export declare function mb_display_info(): u64;
@external("extism:host/user", "mb_now_ms")
export declare function mb_now_ms(): i64;
@external("extism:host/user", "mb_tz_offset_min")
export declare function mb_tz_offset_min(): i32;
@external("extism:host/user", "mb_random_seed")
export declare function mb_random_seed(): i64;
@external("extism:host/user", "mb_log")
export declare function mb_log(level: i32, message: u64): void;
@external("extism:host/user", "mb_config")
export declare function mb_config(): u64;
@external("extism:host/user", "mb_config_version")
export declare function mb_config_version(): i32;
@external("extism:host/user", "mb_kv_get")
export declare function mb_kv_get(key: u64): u64;
@external("extism:host/user", "mb_kv_set")
export declare function mb_kv_set(key: u64, value: u64): i32;
@external("extism:host/user", "mb_kv_delete")
export declare function mb_kv_delete(key: u64): i32;
@external("extism:host/user", "mb_inbox_next")
export declare function mb_inbox_next(): u64;
@external("extism:host/user", "mb_button_next")
export declare function mb_button_next(): u64;
@external("extism:host/user", "mb_mqtt_get")
export declare function mb_mqtt_get(topic: u64): u64;
@external("extism:host/user", "mb_ha_state")
export declare function mb_ha_state(entityId: u64): u64;
@external("extism:host/user", "mb_icon")
export declare function mb_icon(name: u64): u64;
