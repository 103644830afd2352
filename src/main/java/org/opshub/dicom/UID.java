package org.opshub.dicom;

/** Well-known UIDs, PS3.6 Annex A, used by this SCU. */
public final class UID {
    /** DICOM Application Context Name, PS3.7 Annex A.2.1. */
    public static final String ApplicationContext = "1.2.840.10008.3.1.1.1";
    /** Verification SOP Class (C-ECHO), PS3.4 Annex A. */
    public static final String Verification = "1.2.840.10008.1.1";
    /** Storage Commitment Push Model SOP Class, PS3.4 Annex J.3. */
    public static final String StorageCommitmentPushModel = "1.2.840.10008.1.20.1";
    /** Storage Commitment Push Model SOP Instance, the well-known instance of its N-ACTION (PS3.4 §J.3.5). */
    public static final String StorageCommitmentPushModelInstance = "1.2.840.10008.1.20.1.1";
    /** Study Root Query/Retrieve Information Model - FIND, PS3.4 §C.6.2. */
    public static final String StudyRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.2.1";
    /** Study Root Query/Retrieve Information Model - MOVE, PS3.4 §C.6.2 (C-MOVE, PS3.7 §9.1.4). */
    public static final String StudyRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.2.2";
    /** Implicit VR Little Endian, PS3.5 §A.1. */
    public static final String ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    /** Explicit VR Little Endian, PS3.5 §A.2. */
    public static final String ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    /**
     * opshub's Implementation Class UID (PS3.7 §D.3.3.2), a UUID-derived UID under the 2.25 root
     * (PS3.5 §B.2).
     */
    public static final String ImplementationClassUID = "2.25.230571541834311846366146549013524383137";
    /** opshub's Implementation Version Name (PS3.7 §D.3.3.2), at most 16 characters. */
    public static final String ImplementationVersionName = "OPSHUB_0_1";

    private UID() {}
}
