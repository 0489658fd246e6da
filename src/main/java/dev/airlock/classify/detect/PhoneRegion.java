package dev.airlock.classify.detect;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

/**
 * The default phone region and the digit counts its numbers can have when written nationally
 * (national number lengths, and those plus the trunk prefix: 10 or 11 in the US, 4 to 16 in Germany).
 * Computed once from libphonenumber's metadata, so the detector can skip runs that cannot be a number.
 *
 * @param code            CLDR region code passed to libphonenumber
 * @param nationalLengths bit {@code L} set if a run of {@code L} digits may be a national number
 */
record PhoneRegion(String code, long nationalLengths) {
    /** Country code (1-3 digits) + national number: any of 7..17 digits. */
    static final long INTERNATIONAL_LENGTHS = ((1L << 18) - 1) & ~((1L << 7) - 1);

    static PhoneRegion of(String region) {
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        int countryCode = util.getCountryCodeForRegion(region);
        String trunk = util.getNddPrefixForRegion(region, true);
        int trunkLength = trunk == null ? 0 : trunk.length();
        long mask = 0;
        for (int len = 2; len <= 17; len++) {
            // Only the length matters to isPossibleNumber, so any digits will do.
            PhoneNumber probe = new PhoneNumber().setCountryCode(countryCode)
                    .setNationalNumber(Long.parseLong("2".repeat(len)));
            if (util.isPossibleNumberWithReason(probe) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
                mask |= 1L << len;
                if (len + trunkLength <= 17) {
                    mask |= 1L << (len + trunkLength);
                }
            }
        }
        return new PhoneRegion(region, mask == 0 ? INTERNATIONAL_LENGTHS : mask);
    }
}
