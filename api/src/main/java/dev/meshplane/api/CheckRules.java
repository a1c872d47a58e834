package dev.meshplane.api;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;

/** Validates a check as registered in the catalog (as opposed to a definition an agent runs). */
public final class CheckRules {
    /** Consul's agent keeps at most 4 KiB of a check's output; the catalog refuses more. */
    public static final int MAX_OUTPUT_LENGTH = 4096;
    public static final int MAX_NOTES_LENGTH = 1024;

    private CheckRules() {}

    /** Returns the check with defaults applied (name = ID, status critical), or throws INVALID_ARGUMENT. */
    public static Check normalize(String path, Check check) {
        NameRules.checkId(path + ".check_id", check.getCheckId());
        Check.Builder b = check.toBuilder();
        if (check.getName().isEmpty()) {
            b.setName(check.getCheckId());
        } else if (check.getName().length() > ApiLimits.MAX_ID_LENGTH || Text.firstControl(check.getName()) >= 0) {
            throw ApiException.invalidArgument(path + ".name", "must be at most " + ApiLimits.MAX_ID_LENGTH
                    + " characters without control characters");
        }
        if (check.getStatus() == HealthStatus.UNRECOGNIZED) {
            throw ApiException.invalidArgument(path + ".status", "unknown status " + check.getStatusValue());
        }
        if (check.getStatus() == HealthStatus.HEALTH_STATUS_UNSPECIFIED) {
            b.setStatus(HealthStatus.HEALTH_STATUS_CRITICAL);
        }
        if (!check.getServiceId().isEmpty()) {
            NameRules.checkId(path + ".service_id", check.getServiceId());
        }
        if (check.getOutput().length() > MAX_OUTPUT_LENGTH) {
            throw ApiException.invalidArgument(path + ".output", "is " + check.getOutput().length()
                    + " characters; the limit is " + MAX_OUTPUT_LENGTH);
        }
        if (check.getNotes().length() > MAX_NOTES_LENGTH) {
            throw ApiException.invalidArgument(path + ".notes", "is " + check.getNotes().length()
                    + " characters; the limit is " + MAX_NOTES_LENGTH);
        }
        // Denormalized service fields and indexes are the state store's to fill in.
        return b.clearServiceName().clearServiceTags().clearCreateIndex().clearModifyIndex().build();
    }
}
