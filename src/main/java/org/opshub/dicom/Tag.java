package org.opshub.dicom;

import java.util.Map;

/**
 * Tags of the attributes this SCU writes or reads, PS3.6 §6 (data elements) and PS3.7 §E.1
 * (command elements), with their VRs for Implicit VR decoding.
 *
 * <p>A tag is an {@code int}: group in the high 16 bits, element in the low 16 bits.
 */
public final class Tag {
    // PS3.7 Annex E, command group 0000
    public static final int CommandGroupLength = 0x00000000;
    public static final int AffectedSOPClassUID = 0x00000002;
    public static final int CommandField = 0x00000100;
    public static final int MessageID = 0x00000110;
    public static final int MessageIDBeingRespondedTo = 0x00000120;
    public static final int MoveDestination = 0x00000600;
    public static final int Priority = 0x00000700;
    public static final int CommandDataSetType = 0x00000800;
    public static final int Status = 0x00000900;
    public static final int ErrorComment = 0x00000902;
    public static final int NumberOfRemainingSuboperations = 0x00001020;
    public static final int NumberOfCompletedSuboperations = 0x00001021;
    public static final int NumberOfFailedSuboperations = 0x00001022;
    public static final int NumberOfWarningSuboperations = 0x00001023;
    public static final int RequestedSOPClassUID = 0x00000003;
    public static final int AffectedSOPInstanceUID = 0x00001000;
    public static final int RequestedSOPInstanceUID = 0x00001001;
    public static final int EventTypeID = 0x00001002;
    public static final int ActionTypeID = 0x00001008;

    // PS3.6 data dictionary
    public static final int SpecificCharacterSet = 0x00080005;
    public static final int StudyDate = 0x00080020;
    public static final int StudyTime = 0x00080030;
    public static final int AccessionNumber = 0x00080050;
    public static final int QueryRetrieveLevel = 0x00080052;
    public static final int FailedSOPInstanceUIDList = 0x00080058;
    public static final int SOPClassUID = 0x00080016;
    public static final int SOPInstanceUID = 0x00080018;
    public static final int Modality = 0x00080060;
    // PS3.4 Annex J (Storage Commitment): Table J.3-1 and J.3-2
    public static final int ReferencedSOPClassUID = 0x00081150;
    public static final int ReferencedSOPInstanceUID = 0x00081155;
    public static final int TransactionUID = 0x00081195;
    public static final int FailureReason = 0x00081197;
    public static final int FailedSOPSequence = 0x00081198;
    public static final int ReferencedSOPSequence = 0x00081199;
    public static final int ModalitiesInStudy = 0x00080061;
    public static final int StudyDescription = 0x00081030;
    public static final int PatientName = 0x00100010;
    public static final int PatientID = 0x00100020;
    public static final int StudyInstanceUID = 0x0020000D;
    public static final int SeriesInstanceUID = 0x0020000E;
    public static final int StudyID = 0x00200010;
    public static final int SeriesNumber = 0x00200011;
    public static final int NumberOfStudyRelatedSeries = 0x00201206;
    public static final int NumberOfStudyRelatedInstances = 0x00201208;
    public static final int NumberOfSeriesRelatedInstances = 0x00201209;

    // PS3.5 §7.5, item and delimitation tags
    public static final int Item = 0xFFFEE000;
    public static final int ItemDelimitationItem = 0xFFFEE00D;
    public static final int SequenceDelimitationItem = 0xFFFEE0DD;

    private static final Map<Integer, Vr> VRS = Map.ofEntries(
            Map.entry(CommandGroupLength, Vr.UL),
            Map.entry(AffectedSOPClassUID, Vr.UI),
            Map.entry(CommandField, Vr.US),
            Map.entry(MessageID, Vr.US),
            Map.entry(MessageIDBeingRespondedTo, Vr.US),
            Map.entry(Priority, Vr.US),
            Map.entry(CommandDataSetType, Vr.US),
            Map.entry(Status, Vr.US),
            Map.entry(ErrorComment, Vr.LO),
            Map.entry(MoveDestination, Vr.AE),
            Map.entry(RequestedSOPClassUID, Vr.UI),
            Map.entry(AffectedSOPInstanceUID, Vr.UI),
            Map.entry(RequestedSOPInstanceUID, Vr.UI),
            Map.entry(EventTypeID, Vr.US),
            Map.entry(ActionTypeID, Vr.US),
            Map.entry(SOPClassUID, Vr.UI),
            Map.entry(SOPInstanceUID, Vr.UI),
            Map.entry(ReferencedSOPClassUID, Vr.UI),
            Map.entry(ReferencedSOPInstanceUID, Vr.UI),
            Map.entry(TransactionUID, Vr.UI),
            Map.entry(FailureReason, Vr.US),
            Map.entry(FailedSOPSequence, Vr.SQ),
            Map.entry(ReferencedSOPSequence, Vr.SQ),
            Map.entry(NumberOfRemainingSuboperations, Vr.US),
            Map.entry(NumberOfCompletedSuboperations, Vr.US),
            Map.entry(NumberOfFailedSuboperations, Vr.US),
            Map.entry(NumberOfWarningSuboperations, Vr.US),
            Map.entry(FailedSOPInstanceUIDList, Vr.UI),
            Map.entry(Modality, Vr.CS),
            Map.entry(SeriesInstanceUID, Vr.UI),
            Map.entry(SeriesNumber, Vr.IS),
            Map.entry(NumberOfSeriesRelatedInstances, Vr.IS),
            Map.entry(SpecificCharacterSet, Vr.CS),
            Map.entry(StudyDate, Vr.DA),
            Map.entry(StudyTime, Vr.TM),
            Map.entry(AccessionNumber, Vr.SH),
            Map.entry(QueryRetrieveLevel, Vr.CS),
            Map.entry(ModalitiesInStudy, Vr.CS),
            Map.entry(StudyDescription, Vr.LO),
            Map.entry(PatientName, Vr.PN),
            Map.entry(PatientID, Vr.LO),
            Map.entry(StudyInstanceUID, Vr.UI),
            Map.entry(StudyID, Vr.SH),
            Map.entry(NumberOfStudyRelatedSeries, Vr.IS),
            Map.entry(NumberOfStudyRelatedInstances, Vr.IS));

    private Tag() {}

    /**
     * The VR of a tag for Implicit VR decoding; group lengths (element 0000) are UL.
     *
     * @return the VR, {@link Vr#UN} for tags this SCU does not know
     */
    public static Vr vrOf(int tag) {
        if ((tag & 0xFFFF) == 0) {
            return Vr.UL;
        }
        return VRS.getOrDefault(tag, Vr.UN);
    }

    /** {@code (gggg,eeee)} for messages. */
    public static String toString(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
