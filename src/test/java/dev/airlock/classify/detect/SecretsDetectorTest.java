package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsDetectorTest {
    private static final Detector SECRETS = Detectors.secrets();

    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
            + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
            + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    /** Each row: text | the one finding expected, as type=exact matched text. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        aws_access_key_id = AKIAIOSFODNN7EXAMPLE                       | aws_access_key=AKIAIOSFODNN7EXAMPLE
        "creds: ASIAY34FZKBOKMUTVV7A,"                                  | aws_access_key=ASIAY34FZKBOKMUTVV7A
        "export GH=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"            | github_token=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
        "push with gho_16C7e42F292c6912E7710c838347Ae178B4a"            | github_token=gho_16C7e42F292c6912E7710c838347Ae178B4a
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL" | github_token=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL
        "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"  | slack_token=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx
        "app token xapp-1-A0123BCDE45-1234567890123-abcdef0123456789"    | slack_token=xapp-1-A0123BCDE45-1234567890123-abcdef0123456789
        "OPENAI=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab3dEf6hIj9kLm2n" | openai_key=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab3dEf6hIj9kLm2n
        "x-api-key: sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfGh_12345AA" | anthropic_key=sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfGh_12345AA
        "maps?k=AIzaSyA-1234567890abcdefghijklmnopqrstu&x=1"            | google_api_key=AIzaSyA-1234567890abcdefghijklmnopqrstu
        "stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc"                      | stripe_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc
        "restricted rk_live_51H8aBcDeFgHiJkLmNoPqRsTu"                  | stripe_key=rk_live_51H8aBcDeFgHiJkLmNoPqRsTu
        "password = 'Tr0ub4dor&3xKq9!pLm2Zw'"                           | generic_secret=Tr0ub4dor&3xKq9!pLm2Zw
        "api_key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0"                     | generic_secret=9f8e7d6c5b4a39281706f5e4d3c2b1a0
        "Authorization: Bearer 8f2KqL9xZ3mN7pR4tV6wY1bC5dF0gH2j"         | generic_secret=8f2KqL9xZ3mN7pR4tV6wY1bC5dF0gH2j
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" | generic_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        "{\\"client_secret\\": \\"dGhpcyBpcyBhIHNlY3JldCB2YWx1ZTEyMw==\\"}" | generic_secret=dGhpcyBpcyBhIHNlY3JldCB2YWx1ZTEyMw==
        "my pwd is 7hG#k2Lp!9Qz@4Wx$8Rv (do not share)."                 | generic_secret=7hG#k2Lp!9Qz@4Wx$8Rv
        "const apiKey = `Qm9iIGlzIDEyIHllYXJzIG9sZA7x`;"                 | generic_secret=Qm9iIGlzIDEyIHllYXJzIG9sZA7x
        "APIKEY=Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke"                                | generic_secret=Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke
        "Credentials (rotated 2024-01-15): Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke"      | generic_secret=Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke
        """)
    void findsTruePositives(String text, String expected) {
        assertThat(Scan.described(SECRETS, text)).containsExactly(expected);
    }

    @Test
    void findsJwt() {
        assertThat(Scan.described(SECRETS, "curl -H 'Authorization: Bearer " + JWT + "' https://api"))
                .containsExactly("jwt=" + JWT);
        String unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.";
        assertThat(Scan.described(SECRETS, "token " + unsigned + " here")).containsExactly("jwt=" + unsigned);
    }

    @Test
    void findsWholePrivateKeyBlock() {
        String key = """
                -----BEGIN RSA PRIVATE KEY-----
                MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi/4M7UgC9vQ2mXd0eXq1Yq0wIDAQAB
                AoIBAQCqj8NfNhAVEzhgBhb5p+ZOYcQ2VQmq+Jr8sVuM9TV6Rb0bIi1u1kCkF7k0c3Q=
                -----END RSA PRIVATE KEY-----""";
        String text = "Here is the deploy key:\n" + key + "\nthanks";
        assertThat(Scan.described(SECRETS, text)).containsExactly("private_key=" + key);

        String openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
                + "-----END OPENSSH PRIVATE KEY-----";
        assertThat(Scan.described(SECRETS, openssh)).containsExactly("private_key=" + openssh);

        // A key pasted without its END line: the body lines are still covered.
        String cut = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7";
        assertThat(Scan.described(SECRETS, cut + "\n\nnext paragraph")).containsExactly("private_key=" + cut);
    }

    @Test
    void findsSeveralInOrder() {
        String text = "AKIAIOSFODNN7EXAMPLE then ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 and secret=Zx8#Lq2!Vb7@Np4$Wm9s";
        assertThat(Scan.run(SECRETS, text)).extracting(Finding::type)
                .containsExactly("aws_access_key", "github_token", "generic_secret");
    }

    /** Realistic text around credentials that holds none. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Please reset your password in the settings page.",
        "The password must be at least 12 characters long and contain a digit.",
        "password: ********",
        "password = os.environ['DB_PASSWORD']",
        "api_key = os.environ['OPENAI_API_KEY']",
        "token = getAccessTokenFromEnvironment2()",
        "String token = tokenProvider.fetchAccessTokenForTenant(tenantId2);",
        "API key rotation is handled by rotate_keys_v2_scheduler",
        "password_reset_token_expiry_seconds = 3600",
        "token: 1234567890123456789012345",
        "session key: 123e4567-e89b-12d3-a456-426614174000",
        "see the key docs at https://docs.example.com/v2/api-keys/overview2024",
        "ssh key is in ~/.ssh/id_ed25519_work_laptop_2023",
        "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixes the parser",
        "expected = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
        "id 123e4567-e89b-12d3-a456-426614174000",
        "pip install scikit-learn; sk-learn is an alias; disk-space-monitor-2024-01-15",
        "monkey business in 2024",
        "ghp_short and xoxb-123 and AKIA1234",
        "AKIAIOSFODNN7EXAMPLEXX is too long to be an access key id",
        "eyJustAWord.eyJfoo.bar is not a JWT",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2xvdWQ\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
        "The keynote covers tokenization; credentials are managed by Vault.",
        "authentication happens in AuthenticationFilterChainConfiguration2",
        "token\nAbCdEf0123456789GhIjKlMnOp on the next line",
        "key                                                  Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke",
        "monkey 9f8e7d6c5b4a39281706f5e4d3c2b1a0 and turkey Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke",
        "KEYBOARD layout Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke; the tokenizer vocab Zx8Lq2Vb7Np4Wm9sTy6Ur3Ke",
        "authored in commit 9fceb02d0ae598e95dc970b74767f19372d61af8 by the secretary",
    })
    void ignoresNearMisses(String text) {
        assertThat(Scan.described(SECRETS, text)).isEmpty();
    }

    @Test
    void emptyAndTinyTexts() {
        for (String t : new String[] {"", "-", "-----BEGIN ", "eyJ", "eyJhbGciOiJIUzI1NiJ9.", "sk-", "key", "key="}) {
            assertThat(Scan.run(SECRETS, t)).as(t).isEmpty();
        }
    }
}
