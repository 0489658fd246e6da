package dev.airlock.tco;

/**
 * A Whisper on the company's GPUs at $1 an hour beside a speech API at $0.006 a minute, for the TCO
 * model's and the command line's tests of speech compared by the minute.
 */
public final class SpeechFixture {
    public static final String YAML = """
            zones: { on-prem: {}, internet: { external: true } }
            residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
            deployments:
              - { id: whisper-gpu, provider: simulator, zone: on-prem, price: { hourly_usd: 1 } }
              - { id: whisper-api, provider: simulator, zone: internet, price: { audio_per_minute: 0.006 } }
            routes:
              r: { deployments: [whisper-gpu, whisper-api] }
            """;

    private SpeechFixture() {}
}
